/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the placement control-message parser on arbitrary
 * datagrams.  ASan catches any read past the datagram; the checks below
 * catch an accepted message that breaks the parser's promises. */

#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic-placement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_one(data, size);
    if (size >= sizeof(struct nic_placement_msg_hdr) && size <= 4096) {
        /* Again with a valid header, so that the bodies get fuzzed too
         * (random bytes would almost never carry the magic). */
        struct nic_placement_msg_hdr h;
        uint8_t *copy = malloc(size);

        memcpy(copy, data, size);
        memcpy(&h, copy, sizeof h);
        h.magic = NIC_PLACEMENT_MSG_MAGIC;
        h.version = NIC_PLACEMENT_MSG_VERSION;
        h.length = size;
        memcpy(copy, &h, sizeof h);
        check_one(copy, size);
        free(copy);
    }
    return 0;
}

static void
check_one(const uint8_t *data, size_t size)
{
    struct nic_placement_msg msg;
    const char *error = NULL;
    int retval;

    retval = nic_placement_msg_parse(data, size, &msg, &error);
    if (retval == EINVAL) {
        if (!error) {
            abort();
        }
        return;
    }
    if (retval || error) {
        abort();
    }
    switch (msg.type) {
    case NIC_PLACEMENT_MSG_REGISTER:
    case NIC_PLACEMENT_MSG_ATTACH:
        if (size != (msg.type == NIC_PLACEMENT_MSG_REGISTER
                     ? sizeof(struct nic_placement_msg_register)
                     : sizeof(struct nic_placement_msg_attach))
            || !msg.tuple.local_port || !msg.tuple.remote_port
            || msg.tuple.is_ipv6 > 1) {
            abort();
        }
        if (!msg.tuple.is_ipv6) {
            for (int i = 4; i < 16; i++) {
                if (msg.tuple.local[i] || msg.tuple.remote[i]) {
                    abort();
                }
            }
        }
        break;
    case NIC_PLACEMENT_MSG_REARM:
        if (size != sizeof(struct nic_placement_msg_rearm)) {
            abort();
        }
        break;
    case NIC_PLACEMENT_MSG_UNREGISTER:
        if (size != sizeof(struct nic_placement_msg_unregister)) {
            abort();
        }
        break;
    case NIC_PLACEMENT_MSG_BUFFER:
        if (size != sizeof(struct nic_placement_msg_buffer)) {
            abort();
        }
        break;
    case NIC_PLACEMENT_MSG_REPLY:
    default:
        abort();
    }
}
