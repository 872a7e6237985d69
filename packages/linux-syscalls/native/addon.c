/* What every call of the addon shares: see addon.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

int string_arg(napi_env env, napi_value value, const char *name, int optional, char **out) {
  napi_valuetype type;
  *out = NULL;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (optional && (type == napi_null || type == napi_undefined)) return 0;
  if (type != napi_string) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a string%s", name, optional ? " or null" : "");
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return -1;
  *out = malloc(length + 1);
  if (*out == NULL) {
    napi_throw_error(env, "ENOMEM", "linux-syscalls: out of memory");
    return -1;
  }
  if (napi_get_value_string_utf8(env, value, *out, length + 1, &length) != napi_ok) return -1;
  if (strlen(*out) != length) {
    char message[96];
    snprintf(message, sizeof message, "%s must not contain NUL bytes", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return -1;
  }
  return 0;
}

napi_value string_value(napi_env env, const char *s) {
  napi_value value = NULL;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &value);
  return value;
}

const char *errno_name(int error, char fallback[16]) {
  const char *name = strerrorname_np(error);
  if (name != NULL) return name;
  snprintf(fallback, 16, "E%d", error);
  return fallback;
}

napi_value errno_error(napi_env env, int error, const char *message, const char *syscall, const char *path) {
  char fallback[16];
  napi_value result = NULL, code = string_value(env, errno_name(error, fallback)), errno_value = NULL;
  napi_create_error(env, code, string_value(env, message), &result);
  if (result == NULL) return code;
  napi_create_int32(env, -error, &errno_value);
  napi_set_named_property(env, result, "errno", errno_value);
  napi_set_named_property(env, result, "syscall", string_value(env, syscall));
  if (path != NULL) napi_set_named_property(env, result, "path", string_value(env, path));
  return result;
}
