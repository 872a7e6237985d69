/*
 * mount(2) and umount2(2) for Node, so Berth mounts a container's root file system
 * without forking a mount(8) process. Each call runs on the libuv thread pool (an
 * unmount may sync an overlay's upper file system) and returns a Promise; a failure
 * rejects with an Error whose `code` is the errno name (EBUSY, EINVAL, ENOENT, ...).
 * The process calls (posix_spawn and friends) are in process.c.
 * Plain node_api.h: no node-addon-api, nothing to install.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "addon.h"

enum operation { OP_MOUNT, OP_UMOUNT2 };

/* One pending call: its arguments (owned copies), its result and its promise. */
struct call {
  enum operation op;
  char *source;
  char *target;
  char *fstype;
  char *data;
  unsigned long flags;
  int error;
  napi_deferred deferred;
  napi_async_work work;
};

static void free_call(struct call *c) {
  free(c->source);
  free(c->target);
  free(c->fstype);
  free(c->data);
  free(c);
}

/* A flags argument: a non-negative integer below 2^32 (all MS_ and MNT_ flags fit). */
static int flags_arg(napi_env env, napi_value value, const char *name, unsigned long *out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type == napi_undefined) {
    *out = 0;
    return 0;
  }
  if (type != napi_number || napi_get_value_double(env, value, &number) != napi_ok || number < 0 ||
      number > 4294967295.0 || number != (double)(uint32_t)number) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an integer between 0 and 2^32-1", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  *out = (unsigned long)(uint32_t)number;
  return 0;
}

static void execute(napi_env env, void *data) {
  (void)env;
  struct call *c = data;
  int rc = c->op == OP_MOUNT ? mount(c->source, c->target, c->fstype, c->flags, c->data)
                             : umount2(c->target, (int)c->flags);
  c->error = rc == 0 ? 0 : errno;
}

/* The rejection: `mount(fstype, "source" -> "target", 0x..): EBUSY (Device or resource busy)`. */
static napi_value syscall_error(napi_env env, const struct call *c) {
  char fallback[16];
  const char *name = errno_name(c->error, fallback);
  size_t size = 160 + strlen(c->target) + (c->source ? strlen(c->source) : 0) + (c->fstype ? strlen(c->fstype) : 0);
  char *message = malloc(size);
  if (message == NULL) return string_value(env, name);
  if (c->op == OP_MOUNT) {
    snprintf(message, size, "mount(%s, \"%s\" -> \"%s\", 0x%lx): %s (%s)", c->fstype ? c->fstype : "NULL",
             c->source ? c->source : "", c->target, c->flags, name, strerror(c->error));
  } else {
    snprintf(message, size, "umount2(\"%s\", 0x%lx): %s (%s)", c->target, c->flags, name, strerror(c->error));
  }
  napi_value error = NULL, code = string_value(env, name), errno_value = NULL;
  napi_create_error(env, code, string_value(env, message), &error);
  free(message);
  if (error == NULL) return code;
  napi_create_int32(env, -c->error, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", string_value(env, c->op == OP_MOUNT ? "mount" : "umount2"));
  napi_set_named_property(env, error, "path", string_value(env, c->target));
  if (c->source != NULL) napi_set_named_property(env, error, "source", string_value(env, c->source));
  return error;
}

static void complete(napi_env env, napi_status status, void *data) {
  struct call *c = data;
  if (status == napi_ok && c->error == 0) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, c->deferred, undefined);
  } else {
    if (status != napi_ok && c->error == 0) c->error = ECANCELED;
    napi_reject_deferred(env, c->deferred, syscall_error(env, c));
  }
  napi_delete_async_work(env, c->work);
  free_call(c);
}

/* Queues `c` on the thread pool and returns its promise; frees `c` when queuing fails. */
static napi_value queue(napi_env env, struct call *c, const char *name) {
  napi_value promise, resource_name;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_async_work(env, NULL, resource_name, execute, complete, c, &c->work) != napi_ok) {
    free_call(c);
    napi_throw_error(env, NULL, "linux-syscalls: cannot queue the call");
    return NULL;
  }
  if (napi_queue_async_work(env, c->work) != napi_ok) {
    napi_delete_async_work(env, c->work);
    free_call(c);
    napi_throw_error(env, NULL, "linux-syscalls: cannot queue the call");
    return NULL;
  }
  return promise;
}

/* mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "mount(source, target, fstype, flags, data) needs a target");
    return NULL;
  }
  napi_value undefined;
  CHECK(env, napi_get_undefined(env, &undefined));
  for (size_t i = argc; i < 5; i++) argv[i] = undefined;
  struct call *c = calloc(1, sizeof *c);
  if (c == NULL) {
    napi_throw_error(env, "ENOMEM", "linux-syscalls: out of memory");
    return NULL;
  }
  c->op = OP_MOUNT;
  if (string_arg(env, argv[0], "source", 1, &c->source) != 0 || string_arg(env, argv[1], "target", 0, &c->target) != 0 ||
      string_arg(env, argv[2], "fstype", 1, &c->fstype) != 0 || flags_arg(env, argv[3], "flags", &c->flags) != 0 ||
      string_arg(env, argv[4], "data", 1, &c->data) != 0) {
    free_call(c);
    return NULL;
  }
  return queue(env, c, "berth:mount");
}

/* umount2(target: string, flags: number) */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "umount2(target, flags) needs a target");
    return NULL;
  }
  napi_value undefined;
  CHECK(env, napi_get_undefined(env, &undefined));
  if (argc < 2) argv[1] = undefined;
  struct call *c = calloc(1, sizeof *c);
  if (c == NULL) {
    napi_throw_error(env, "ENOMEM", "linux-syscalls: out of memory");
    return NULL;
  }
  c->op = OP_UMOUNT2;
  if (string_arg(env, argv[0], "target", 0, &c->target) != 0 || flags_arg(env, argv[1], "flags", &c->flags) != 0) {
    free_call(c);
    return NULL;
  }
  return queue(env, c, "berth:umount2");
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"umount2", NULL, js_umount2, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties));
  CHECK(env, define_process_calls(env, exports));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
