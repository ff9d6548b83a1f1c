/* SPDX-License-Identifier: Apache-2.0 */
/* Registration of the NIC netdev class, the flow-API provider and their
 * commands. */
#include <config.h>

#include "vswitchd-ext/offload-providers.h"

#include "datapath-offload/netdev-nic.h"
#include "datapath-offload/netdev-offload-nic.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "lib/nic-provider.h"
#include "lib/nicsim.h"
#include "lib/nicsim-channel.h"
#ifdef HAVE_NIC_XDP
#include "lib/nic-xdp.h"
#include "vswitchd-ext/nic-xdp-unixctl.h"
#endif
#include "vswitchd-ext/nicsim-unixctl.h"
#include "vswitchd-ext/offload-unixctl.h"

VLOG_DEFINE_THIS_MODULE(offload_providers);

/* The NIC backends this daemon carries: the only place above lib/ that
 * names them.  Each gets a netdev type of its own name for its ports. */
static void
offload_register_nic_backends(void)
{
    nic_class_register(&nicsim_class);
    netdev_nic_register(nicsim_class.type);
#ifdef HAVE_NIC_XDP
    nic_class_register(&nic_xdp_class);
    netdev_nic_register(nic_xdp_class.type);
#endif
}

/* Each entry registers one provider with OVS (and its unixctl commands). */
static void (*const offload_provider_registrars[])(void) = {
    offload_register_nic_backends,
    nicsim_unixctl_register,
#ifdef HAVE_NIC_XDP
    nic_xdp_unixctl_register,
#endif
    netdev_offload_nic_register,
    offload_unixctl_register,
    NULL,
};

void
offload_providers_register(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        size_t n = 0;

        for (size_t i = 0; offload_provider_registrars[i]; i++) {
            offload_provider_registrars[i]();
            n++;
        }
        VLOG_DBG("registered %"PRIuSIZE" offload provider(s)", n);
        ovsthread_once_done(&once);
    }
}

void
offload_providers_run(void)
{
    nicsim_channel_run();
}

void
offload_providers_wait(void)
{
    nicsim_channel_wait();
}

void
offload_providers_stop(void)
{
    nicsim_stop_all();
}
