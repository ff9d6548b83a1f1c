/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_PLACEMENT_SHM_H
#define NIC_PLACEMENT_SHM_H 1

/* What an application and a NIC share for direct data placement: the
 * layout of the buffer (a memfd: a header, then a ring of data), and the
 * messages of the NIC's control socket.  Both sides include this file; it
 * needs nothing but C11.
 *
 * Stream offsets are 64-bit byte counts from the first byte of the
 * connection's data (the initial sequence number + 1), so that neither
 * side handles the wrap of the 32-bit sequence space here.  Byte at
 * stream offset O lives at data[O % data_len].
 *
 * NIC -> application: the NIC writes payload into the ring, then advances
 * 'next' with release ordering; an application that loads 'next' with
 * acquire ordering may read every byte of [start, next).  'start' changes
 * only when a placement run begins after an arm request, and is stored
 * before 'active_req' (release), which tells the application which of its
 * requests the run answers.  On a gap the NIC stops: 'state' becomes
 * STOPPED and 'stop_reason' says why; 'next' stays where it stopped.
 *
 * Application -> NIC: 'consumed' (release) is how far the application has
 * read the stream, by any path; the NIC never writes a byte at or beyond
 * consumed + data_len, so unread bytes are never overwritten.  To re-arm,
 * the application stores 'arm_offset' and then increments 'arm_req'
 * (release); the NIC then places from the first in-order segment at or
 * after 'arm_offset'. */

#include <stdint.h>

/* The members below are _Atomic (a C11 keyword): a user performs the
 * operations with <stdatomic.h>, or, inside Open vSwitch, with its
 * ovs-atomic.h, which must not be mixed with <stdatomic.h> under clang. */

#define NIC_PLACEMENT_SHM_MAGIC 0x4f44445050534d31ULL    /* "ODDPPSM1" */
#define NIC_PLACEMENT_SHM_VERSION 1
#define NIC_PLACEMENT_SHM_HDR_SIZE 4096     /* Data starts here. */

/* Why a segment of a registered connection was not placed (it then takes
 * the normal path only), or why the NIC stopped placing. */
#define NIC_PLACEMENT_REASONS                                             \
    NIC_PLACEMENT_REASON(NONE, "none", "placed")                          \
    NIC_PLACEMENT_REASON(GAP, "gap",                                      \
                         "out of order: beyond the next expected byte")   \
    NIC_PLACEMENT_REASON(DUPLICATE, "duplicate",                          \
                         "retransmit of bytes already placed or read")    \
    NIC_PLACEMENT_REASON(UNKNOWN, "unknown", "no registered connection")  \
    NIC_PLACEMENT_REASON(BUFFER_END, "buffer-end",                        \
                         "no room before the unread bytes")               \
    NIC_PLACEMENT_REASON(STOPPED, "stopped", "stopped, waiting for re-arm") \
    NIC_PLACEMENT_REASON(BEFORE_ARM, "before-arm",                        \
                         "before the re-arm point")                       \
    NIC_PLACEMENT_REASON(NO_ISN, "no-isn",                                \
                         "initial sequence number not yet known")         \
    NIC_PLACEMENT_REASON(WRONG_PORT, "wrong-port",                        \
                         "going to a port other than the owner")          \
    NIC_PLACEMENT_REASON(BAD_CHECKSUM, "bad-checksum",                    \
                         "TCP checksum wrong: the stack will drop it")

enum nic_placement_reason {
#define NIC_PLACEMENT_REASON(ENUM, NAME, DESC) NIC_PLACEMENT_##ENUM,
    NIC_PLACEMENT_REASONS
#undef NIC_PLACEMENT_REASON
    NIC_N_PLACEMENT_REASONS
};

enum nic_placement_shm_state {
    NIC_PLACEMENT_SHM_NEW = 0,      /* Not yet seen by the NIC. */
    NIC_PLACEMENT_SHM_LEARNING,     /* Waiting for the handshake's ISN. */
    NIC_PLACEMENT_SHM_ARMED,        /* Waiting for a segment to start. */
    NIC_PLACEMENT_SHM_ACTIVE,       /* Placing. */
    NIC_PLACEMENT_SHM_STOPPED,      /* Stopped; see stop_reason. */
    NIC_PLACEMENT_SHM_RELEASED,     /* The NIC let go of the buffer. */
};

struct nic_placement_shm {
    /* Written by the application before registration, then constant. */
    uint64_t magic;                 /* NIC_PLACEMENT_SHM_MAGIC. */
    uint32_t version;               /* NIC_PLACEMENT_SHM_VERSION. */
    uint32_t hdr_size;              /* NIC_PLACEMENT_SHM_HDR_SIZE. */
    uint64_t data_len;              /* Bytes of ring after the header. */

    /* Written by the NIC. */
    _Atomic uint32_t state;         /* enum nic_placement_shm_state. */
    _Atomic uint32_t stop_reason;   /* enum nic_placement_reason. */
    _Atomic uint32_t isn;           /* Peer's initial sequence number. */
    _Atomic uint32_t active_req;    /* arm_req that [start, next) answers. */
    _Atomic uint64_t start;         /* First placed stream offset. */
    _Atomic uint64_t next;          /* One past the last placed byte. */
    _Atomic uint64_t n_gaps;        /* Times the NIC stopped. */

    /* Written by the application. */
    _Atomic uint64_t consumed;      /* Stream offset read up to. */
    _Atomic uint64_t arm_offset;    /* Where to place from... */
    _Atomic uint32_t arm_req;       /* ...once this changes. */
    uint32_t pad;
};

_Static_assert(sizeof(struct nic_placement_shm) <= NIC_PLACEMENT_SHM_HDR_SIZE,
               "placement header fits its page");

/* Control messages.  The NIC listens on a unix SOCK_SEQPACKET socket; each
 * message is one datagram: a header, then a body of a fixed size for its
 * type.  Integers are in host byte order (the socket is local), except
 * addresses and ports, which are as on the wire.  A REGISTER carries the
 * buffer's memfd in an SCM_RIGHTS control message.  The NIC answers every
 * request with a REPLY carrying the request's 'xid'. */
#define NIC_PLACEMENT_MSG_MAGIC 0x4f444450u     /* "ODDP" */
#define NIC_PLACEMENT_MSG_VERSION 1

enum nic_placement_msg_type {
    NIC_PLACEMENT_MSG_REGISTER = 1,
    NIC_PLACEMENT_MSG_REARM = 2,
    NIC_PLACEMENT_MSG_UNREGISTER = 3,
    NIC_PLACEMENT_MSG_BUFFER = 4,   /* Hand over a buffer, for ATTACH. */
    NIC_PLACEMENT_MSG_ATTACH = 5,   /* REGISTER into a handed-over one. */
    NIC_PLACEMENT_MSG_REPLY = 128,
};

struct nic_placement_msg_hdr {
    uint32_t magic;                 /* NIC_PLACEMENT_MSG_MAGIC. */
    uint16_t version;               /* NIC_PLACEMENT_MSG_VERSION. */
    uint16_t type;                  /* enum nic_placement_msg_type. */
    uint32_t length;                /* Of the whole message. */
    uint32_t xid;                   /* Echoed in the reply. */
};

#define NIC_PLACEMENT_REG_SEQ0 0x1  /* 'seq0' is valid: no handshake. */

/* The port a registration is for. */
#define NIC_PLACEMENT_PORT_HOST 0xffffffffu     /* The host's own stack. */

struct nic_placement_msg_register {
    struct nic_placement_msg_hdr hdr;
    uint32_t vf;                    /* VF number, or ..._PORT_HOST. */
    uint8_t family;                 /* 4 or 6. */
    uint8_t flags;                  /* NIC_PLACEMENT_REG_*. */
    uint16_t pad;                   /* Zero. */
    uint8_t local[16];              /* IPv4: first 4 bytes, rest zero. */
    uint8_t remote[16];
    uint16_t local_port;            /* Network byte order. */
    uint16_t remote_port;           /* Network byte order. */
    uint32_t seq0;                  /* Sequence of stream offset 0. */
};

/* A buffer handed over once, for connection after connection: the memfd
 * comes in SCM_RIGHTS as for a REGISTER, the reply's 'id' names it.  It
 * counts against the port's byte limit until the owner goes. */
struct nic_placement_msg_buffer {
    struct nic_placement_msg_hdr hdr;
    uint32_t vf;                    /* VF number, or ..._PORT_HOST. */
    uint32_t pad;                   /* Zero. */
};

/* A REGISTER (its 'vf' the buffer's) that places into buffer 'buffer',
 * which no other connection uses at the time, and passes no fd.  Before
 * sending it, the application stores 'consumed' and 'arm_offset' 0 and a
 * new 'arm_req'; the NIC resets its own fields of the header. */
struct nic_placement_msg_attach {
    struct nic_placement_msg_register reg;      /* reg.hdr is the header. */
    uint32_t buffer;                /* From the BUFFER's reply. */
    uint32_t pad;                   /* Zero. */
};

struct nic_placement_msg_rearm {
    struct nic_placement_msg_hdr hdr;
    uint32_t id;                    /* From the REGISTER's reply. */
    uint32_t req;                   /* As stored in the header's arm_req. */
    uint64_t offset;                /* Stream offset to place from. */
};

struct nic_placement_msg_unregister {
    struct nic_placement_msg_hdr hdr;
    uint32_t id;
    uint32_t pad;                   /* Zero. */
};

struct nic_placement_msg_reply {
    struct nic_placement_msg_hdr hdr;
    int32_t error;                  /* 0 or a positive errno. */
    uint32_t refusal;               /* Why, if 'error'. */
    uint32_t id;                    /* Of a new entry. */
    uint32_t pad;
    char reason[64];                /* Readable, NUL-terminated. */
};

#endif /* nic-placement-shm.h */
