/*
 * What every call of the addon shares: argument checks that leave a JS TypeError pending,
 * and errors shaped like Node's system errors (`code` the errno name, `errno`, `syscall`).
 */
#ifndef BERTH_LINUX_SYSCALLS_ADDON_H
#define BERTH_LINUX_SYSCALLS_ADDON_H

#include <node_api.h>

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), NULL, "linux-syscalls: " #call " failed");   \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

/*
 * A string argument as a malloc'd copy, or NULL when the argument is null/undefined
 * and `optional`. Returns 0 on success; on failure a JS TypeError is pending.
 */
int string_arg(napi_env env, napi_value value, const char *name, int optional, char **out);

/* A JS string from a C one (NULL when even that fails). */
napi_value string_value(napi_env env, const char *s);

/* The errno name (`ENOENT`), or `E<number>` for one glibc does not name. */
const char *errno_name(int error, char fallback[16]);

/*
 * A Node-style system error: `message`, `code` the errno name, `errno` the negative number,
 * `syscall`, and `path` when not NULL.
 */
napi_value errno_error(napi_env env, int error, const char *message, const char *syscall, const char *path);

/* Adds the process calls (pipe, spawn, waitpid, close) to the module's exports. */
napi_status define_process_calls(napi_env env, napi_value exports);

#endif
