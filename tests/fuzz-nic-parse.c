/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the NIC parser on arbitrary frames.  ASan catches any
 * read past the frame; the checks below catch inconsistent results. */

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
    return 0;
}
