/* husk_core.node: in-process kernel work that never forks (see DESIGN.md). Every
 * function here is synchronous and short; nothing here may fork, setns or unshare. */
#include "napi_util.h"

static napi_value init(napi_env env, napi_value exports) {
  husk_addon_register_fd_ops(env, exports);
  husk_addon_register_seccomp(env, exports);
  husk_addon_register_features(env, exports);
  husk_addon_register_node_ops(env, exports);
  husk_addon_register_mount_ops(env, exports);
  husk_addon_register_xattr_read(env, exports);
  husk_addon_register_netlink(env, exports);
  return exports;
}

NAPI_MODULE(husk_core, init)
