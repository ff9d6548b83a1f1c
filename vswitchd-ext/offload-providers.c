#include <config.h>

#include "vswitchd-ext/offload-providers.h"

#include "openvswitch/vlog.h"
#include "ovs-thread.h"

VLOG_DEFINE_THIS_MODULE(offload_providers);

/* Each entry registers one provider with OVS.  The NIC port netdev class
 * and the flow-API provider are added here as they land. */
static void (*const offload_provider_registrars[])(void) = {
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
