/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the match and action parsers behind nicsim/add-rule,
 * which take text straight from ovs-appctl. */

#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic-rule.h"
#include "openvswitch/dynamic-string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    struct nic_action acts[NIC_MAX_ACTIONS];
    struct nic_match m;
    size_t n;
    char *error;

    memcpy(s, data, size);
    s[size] = '\0';

    error = nic_match_from_string(s, &m);
    if (!error) {
        /* What parses must format, and reparse to the same match. */
        struct ds d = DS_EMPTY_INITIALIZER;
        struct nic_match m2;
        char *error2;

        nic_match_format(&d, &m);
        error2 = nic_match_from_string(ds_cstr(&d), &m2);
        if (error2 || memcmp(&m, &m2, sizeof m)) {
            abort();
        }
        ds_destroy(&d);
    }
    free(error);

    error = nic_actions_from_string(s, acts, &n);
    if (!error) {
        struct ds d = DS_EMPTY_INITIALIZER;

        if (!n || n > NIC_MAX_ACTIONS) {
            abort();
        }
        nic_actions_format(&d, acts, n);
        ds_destroy(&d);
    }
    free(error);
    free(s);
    return 0;
}
