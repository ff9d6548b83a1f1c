# SPDX-License-Identifier: Apache-2.0
# utilities/: set-up, sandbox and demo scripts.
EXTRA_DIST += \
	utilities/ovs-offload-setup.sh \
	utilities/ovs-offload-build.sh \
	utilities/ovs-offload-bench-cpu.sh \
	utilities/ovs-offload-demo.sh \
	utilities/ovs-offload-hypervisors.sh \
	utilities/ovs-offload-sandbox.sh \
	utilities/ovs-offload-test.sh
