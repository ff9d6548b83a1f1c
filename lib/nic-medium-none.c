/* SPDX-License-Identifier: Apache-2.0 */
/* The "none" medium: a port with nothing attached, which receives nothing
 * and discards what it is sent. */
#include <config.h>

#include "lib/nic-medium-provider.h"
#include "util.h"

static int
nic_none_open(const char *spec, const char *arg OVS_UNUSED,
              struct nic_medium **mp, char **errorp OVS_UNUSED)
{
    struct nic_medium *m = xzalloc(sizeof *m);

    nic_medium_init(m, &nic_medium_none_class, spec);
    *mp = m;
    return 0;
}

static void
nic_none_close(struct nic_medium *m)
{
    free(m);
}

static int
nic_none_recv(struct nic_medium *m OVS_UNUSED,
              struct dp_packet **pkts OVS_UNUSED, int max OVS_UNUSED)
{
    return 0;
}

/* No 'send': the caller's fallback discards; no 'wait': nothing to wake
 * for. */
const struct nic_medium_class nic_medium_none_class = {
    .name = "none",
    .takes_arg = false,
    .open = nic_none_open,
    .close = nic_none_close,
    .recv = nic_none_recv,
};
