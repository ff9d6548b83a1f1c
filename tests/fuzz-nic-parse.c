/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the NIC parser, and its decapsulation, on arbitrary
 * frames.  ASan catches any read past the frame; the checks below catch
 * inconsistent results. */

#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nic_flow_key key;
    struct nic_parse_offsets ofs;
    enum nic_parse_status st;

    st = nic_parse(data, size, 1, &key, &ofs);
    if (st >= NIC_N_PARSE_STATUS
        || (st == NIC_PARSE_OK
            && ((ofs.l3 != UINT16_MAX && ofs.l3 > size)
                || (ofs.l4 != UINT16_MAX && ofs.l4 > size)
                || (ofs.inner_l2 != UINT16_MAX && ofs.inner_l2 > size)
                || ofs.n_vlans > 2))) {
        abort();
    }
    if (!nic_parse_status_to_string(st)) {
        abort();
    }
    if (st == NIC_PARSE_OK) {
        struct nic_parse_offsets iofs;
        struct nic_flow_key inner;
        /* On tunnel port 7 (NIC_PORT_TUNNEL_BASE + 7). */
        size_t at = nic_parse_decap(data, size, &key, &ofs, 0x10007, &inner,
                                    &iofs);

        if (at > size || (at && (inner.in_port != 0x10007
                                 || inner.tun_type != key.tun_type
                                 || inner.tun_opts_len > 8))) {
            abort();
        }
    }
    return 0;
}
