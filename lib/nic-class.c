/* SPDX-License-Identifier: Apache-2.0 */
/* The registry of NIC classes and the names the NIC model shares. */
#include <config.h>

#include "lib/nic-class.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dp-packet.h"
#include "openvswitch/shash.h"
#include "ovs-thread.h"
#include "util.h"

static struct ovs_mutex nic_class_mutex = OVS_MUTEX_INITIALIZER;
static struct shash nic_classes OVS_GUARDED_BY(nic_class_mutex)
    = SHASH_INITIALIZER(&nic_classes);

void
nic_class_register(const struct nic_class *class)
{
    ovs_mutex_lock(&nic_class_mutex);
    if (!shash_find(&nic_classes, class->type)) {
        shash_add(&nic_classes, class->type, class);
    }
    ovs_mutex_unlock(&nic_class_mutex);
}

const struct nic_class *
nic_class_lookup(const char *type)
{
    const struct nic_class *class;

    ovs_mutex_lock(&nic_class_mutex);
    class = shash_find_data(&nic_classes, type);
    ovs_mutex_unlock(&nic_class_mutex);
    return class;
}

const char *
nic_host_reason_name(enum nic_host_reason r)
{
    static const char *const names[] = {
#define NIC_HOST_REASON(ENUM, NAME, DESC) NAME,
        NIC_HOST_REASONS
#undef NIC_HOST_REASON
    };

    return r < NIC_N_HOST_REASONS ? names[r] : "unknown";
}

const char *
nic_drop_reason_name(enum nic_drop_reason r)
{
    static const char *const names[] = {
#define NIC_DROP_REASON(ENUM, NAME, DESC) NAME,
        NIC_DROP_REASONS
#undef NIC_DROP_REASON
    };

    return r < NIC_N_DROP_REASONS ? names[r] : "unknown";
}

/* Parses "uplinkN" or "vfN". */
bool
nic_port_from_string(const char *s, uint32_t *port)
{
    unsigned int n;
    int len;

    if (sscanf(s, "uplink%u%n", &n, &len) == 1 && !s[len]
        && n < NIC_MAX_UPLINKS) {
        *port = n;
        return true;
    }
    if (sscanf(s, "vf%u%n", &n, &len) == 1 && !s[len] && n < NIC_MAX_VFS) {
        *port = NIC_PORT_VF_BASE + n;
        return true;
    }
    return false;
}

void
nic_port_to_string(uint32_t port, char *buf, size_t size)
{
    if (nic_port_is_vf(port)) {
        snprintf(buf, size, "vf%"PRIu32, port - NIC_PORT_VF_BASE);
    } else {
        snprintf(buf, size, "uplink%"PRIu32, port);
    }
}

void
nic_samples_free(struct nic_sample *samples, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_packet_delete(samples[i].pkt);
        for (size_t j = 0; j < MIN(samples[i].n_outputs,
                                   NIC_SAMPLE_MAX_OUTPUTS); j++) {
            dp_packet_delete(samples[i].outputs[j].pkt);
        }
    }
    free(samples);
}
