/*
 * Starting and reaping child processes without forking Node. libuv starts a child with
 * fork(2)+exec, and fork copies the parent's page tables: from a Node process of ~150 MB
 * that is milliseconds per child. glibc's posix_spawn(3) uses clone(CLONE_VM|CLONE_VFORK),
 * whose cost does not grow with the parent's memory.
 *
 * libuv reaps only the children it started itself (waitpid on each of its pids), so a pid
 * from spawn() is ours to reap with waitpid(), which blocks a thread-pool thread until the
 * child exits: meant for children that do not live long (conmon's first process, which
 * exits once it has double-forked its monitor).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addon.h"

extern char **environ;

/* The child's file descriptors 0, 1 and 2 always exist: /dev/null unless given. */
#define STANDARD_FDS 3
/* More would be a mistake (and the spawn keeps one int per descriptor on the stack). */
#define MAX_FDS 1024

/* A NULL-terminated array of malloc'd strings; freeing NULL is fine. */
static void free_strings(char **strings) {
  if (strings == NULL) return;
  for (char **s = strings; *s != NULL; s++) free(*s);
  free(strings);
}

static int out_of_memory(napi_env env) {
  napi_throw_error(env, "ENOMEM", "linux-syscalls: out of memory");
  return -1;
}

/* A non-negative integer below 2^31 (a pid or a file descriptor). */
static int int_arg(napi_env env, napi_value value, const char *name, int minimum, int *out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type != napi_number || napi_get_value_double(env, value, &number) != napi_ok || number < minimum ||
      number > 2147483647.0 || number != (double)(int32_t)number) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an integer between %d and 2^31-1", name, minimum);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  *out = (int)number;
  return 0;
}

/* The property `name` of `object`, with whether it is null or undefined. */
static int property(napi_env env, napi_value object, const char *name, napi_value *out, int *absent) {
  napi_valuetype type;
  if (napi_get_named_property(env, object, name, out) != napi_ok || napi_typeof(env, *out, &type) != napi_ok) return -1;
  *absent = type == napi_null || type == napi_undefined;
  return 0;
}

/* argv for the child: `file` as argv[0], then the strings of the `args` array (may be absent). */
static int argv_arg(napi_env env, napi_value args, int absent, const char *file, char ***out) {
  uint32_t length = 0;
  bool is_array = false;
  *out = NULL;
  if (!absent) {
    if (napi_is_array(env, args, &is_array) != napi_ok) return -1;
    if (!is_array) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "args must be an array of strings");
      return -1;
    }
    if (napi_get_array_length(env, args, &length) != napi_ok) return -1;
  }
  char **argv = calloc((size_t)length + 2, sizeof *argv);
  if (argv == NULL) return out_of_memory(env);
  *out = argv;
  argv[0] = strdup(file);
  if (argv[0] == NULL) return out_of_memory(env);
  for (uint32_t i = 0; i < length; i++) {
    napi_value element;
    if (napi_get_element(env, args, i, &element) != napi_ok) return -1;
    if (string_arg(env, element, "each of args", 0, &argv[i + 1]) != 0) return -1;
  }
  return 0;
}

/* envp for the child from an object of strings: `NAME=value` each. */
static int env_arg(napi_env env, napi_value object, char ***out) {
  napi_valuetype type;
  napi_value names;
  uint32_t length;
  *out = NULL;
  if (napi_typeof(env, object, &type) != napi_ok) return -1;
  if (type != napi_object) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "env must be an object of strings");
    return -1;
  }
  if (napi_get_all_property_names(env, object, napi_key_own_only, napi_key_enumerable | napi_key_skip_symbols,
                                  napi_key_numbers_to_strings, &names) != napi_ok ||
      napi_get_array_length(env, names, &length) != napi_ok)
    return -1;
  char **envp = calloc((size_t)length + 1, sizeof *envp);
  if (envp == NULL) return out_of_memory(env);
  *out = envp;
  for (uint32_t i = 0; i < length; i++) {
    napi_value name_value, value;
    char *name = NULL, *text = NULL;
    if (napi_get_element(env, names, i, &name_value) != napi_ok || napi_get_property(env, object, name_value, &value) != napi_ok ||
        string_arg(env, name_value, "an env name", 0, &name) != 0 || string_arg(env, value, "each env value", 0, &text) != 0) {
      free(name);
      free(text);
      return -1;
    }
    if (name[0] == '\0' || strchr(name, '=') != NULL) {
      free(name);
      free(text);
      napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "env names must be non-empty and must not contain '='");
      return -1;
    }
    size_t size = strlen(name) + strlen(text) + 2;
    envp[i] = malloc(size);
    if (envp[i] != NULL) snprintf(envp[i], size, "%s=%s", name, text);
    free(name);
    free(text);
    if (envp[i] == NULL) return out_of_memory(env);
  }
  return 0;
}

/* The `fds` array: a parent descriptor for each child descriptor, -1 for /dev/null. */
static int fds_arg(napi_env env, napi_value array, int absent, int **out, size_t *count) {
  uint32_t length = 0;
  bool is_array = false;
  *out = NULL;
  *count = 0;
  if (!absent) {
    if (napi_is_array(env, array, &is_array) != napi_ok) return -1;
    if (!is_array) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fds must be an array of file descriptors or nulls");
      return -1;
    }
    if (napi_get_array_length(env, array, &length) != napi_ok) return -1;
    if (length > MAX_FDS) {
      napi_throw_type_error(env, "ERR_OUT_OF_RANGE", "fds may give the child at most 1024 descriptors");
      return -1;
    }
  }
  size_t total = length < STANDARD_FDS ? STANDARD_FDS : length;
  int *fds = malloc(total * sizeof *fds);
  if (fds == NULL) return out_of_memory(env);
  *out = fds;
  *count = total;
  for (size_t i = 0; i < total; i++) {
    fds[i] = -1;
    if (i >= length) continue;
    napi_value element;
    napi_valuetype type;
    if (napi_get_element(env, array, (uint32_t)i, &element) != napi_ok || napi_typeof(env, element, &type) != napi_ok) return -1;
    if (type == napi_null || type == napi_undefined) continue;
    if (int_arg(env, element, "each of fds", 0, &fds[i]) != 0) return -1;
  }
  return 0;
}

/* What spawn() was asked: owned copies, freed by free_spawn. */
struct spawn_request {
  char *file;
  char *cwd;
  char **argv;
  char **envp; /* NULL: the parent's environment */
  int *fds;
  size_t fd_count;
  bool setsid;
};

static void free_spawn(struct spawn_request *r) {
  free(r->file);
  free(r->cwd);
  free_strings(r->argv);
  free_strings(r->envp);
  free(r->fds);
}

static int spawn_request_arg(napi_env env, napi_value options, struct spawn_request *r) {
  napi_valuetype type;
  napi_value value;
  int absent;
  if (napi_typeof(env, options, &type) != napi_ok) return -1;
  if (type != napi_object) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "spawn(options) needs an options object");
    return -1;
  }
  if (property(env, options, "file", &value, &absent) != 0 || string_arg(env, value, "file", 0, &r->file) != 0) return -1;
  if (property(env, options, "args", &value, &absent) != 0 || argv_arg(env, value, absent, r->file, &r->argv) != 0) return -1;
  if (property(env, options, "env", &value, &absent) != 0 || (!absent && env_arg(env, value, &r->envp) != 0)) return -1;
  if (property(env, options, "cwd", &value, &absent) != 0 || string_arg(env, value, "cwd", 1, &r->cwd) != 0) return -1;
  if (property(env, options, "fds", &value, &absent) != 0 || fds_arg(env, value, absent, &r->fds, &r->fd_count) != 0) return -1;
  if (property(env, options, "setsid", &value, &absent) != 0) return -1;
  if (!absent && napi_get_value_bool(env, value, &r->setsid) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setsid must be a boolean");
    return -1;
  }
  return 0;
}

/*
 * posix_spawn(3) as asked. The file actions run in order in the child: each child
 * descriptor i gets a dup2 of its parent descriptor (which clears close-on-exec on the
 * copy) or /dev/null, then everything from fd_count up is closed, so the child holds
 * exactly the descriptors it was given. Parent descriptors below fd_count would be
 * overwritten by an earlier dup2, so they are first copied above it (`moved`, closed
 * again after the spawn). Returns 0 or an errno value.
 */
static int spawn_process(const struct spawn_request *r, pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  sigset_t signals;
  int error, moved[r->fd_count];
  for (size_t i = 0; i < r->fd_count; i++) moved[i] = -1;
  if ((error = posix_spawn_file_actions_init(&actions)) != 0) return error;
  if ((error = posix_spawnattr_init(&attributes)) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return error;
  }
  for (size_t i = 0; i < r->fd_count && error == 0; i++) {
    int source = r->fds[i];
    if (source >= 0 && (size_t)source < r->fd_count) {
      moved[i] = fcntl(source, F_DUPFD_CLOEXEC, (int)r->fd_count);
      if (moved[i] < 0) error = errno;
      source = moved[i];
    }
    if (error == 0) {
      error = source < 0 ? posix_spawn_file_actions_addopen(&actions, (int)i, "/dev/null", O_RDWR, 0)
                         : posix_spawn_file_actions_adddup2(&actions, source, (int)i);
    }
  }
  if (error == 0) error = posix_spawn_file_actions_addclosefrom_np(&actions, (int)r->fd_count);
  if (error == 0 && r->cwd != NULL) error = posix_spawn_file_actions_addchdir_np(&actions, r->cwd);
  /* Node ignores SIGPIPE and may block signals in this thread: the child starts with neither. */
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (r->setsid ? POSIX_SPAWN_SETSID : 0);
  if (error == 0) error = posix_spawnattr_setflags(&attributes, flags);
  if (error == 0) {
    sigemptyset(&signals);
    error = posix_spawnattr_setsigmask(&attributes, &signals);
  }
  if (error == 0) {
    /*
     * Every signal, glibc's internal ones (32 and 33) included: sigfillset leaves them out,
     * and glibc's child then sets them to SIG_IGN, which would survive the exec.
     */
    memset(&signals, 0xff, sizeof signals);
    error = posix_spawnattr_setsigdefault(&attributes, &signals);
  }
  if (error == 0) error = posix_spawn(pid, r->file, &actions, &attributes, r->argv, r->envp != NULL ? r->envp : environ);
  for (size_t i = 0; i < r->fd_count; i++) {
    if (moved[i] >= 0) close(moved[i]);
  }
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  return error;
}

/* spawn({ file, args, env, cwd, fds, setsid }): the child's pid; throws the errno error. */
static napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value options, result = NULL;
  CHECK(env, napi_get_cb_info(env, info, &argc, &options, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "spawn(options) needs an options object");
    return NULL;
  }
  struct spawn_request request = {0};
  pid_t pid;
  if (spawn_request_arg(env, options, &request) == 0) {
    int error = spawn_process(&request, &pid);
    if (error == 0) {
      napi_create_int32(env, pid, &result);
    } else {
      char fallback[16];
      size_t size = 64 + strlen(request.file);
      char *message = malloc(size);
      if (message != NULL) snprintf(message, size, "posix_spawn(\"%s\"): %s (%s)", request.file, errno_name(error, fallback), strerror(error));
      napi_throw(env, errno_error(env, error, message != NULL ? message : "posix_spawn failed", "posix_spawn", request.file));
      free(message);
    }
  }
  free_spawn(&request);
  return result;
}

/* One pending waitpid: the pid, then its status or errno, and the promise. */
struct wait_call {
  pid_t pid;
  int status;
  int error;
  napi_deferred deferred;
  napi_async_work work;
};

static void wait_execute(napi_env env, void *data) {
  (void)env;
  struct wait_call *c = data;
  pid_t rc;
  do {
    rc = waitpid(c->pid, &c->status, 0);
  } while (rc < 0 && errno == EINTR);
  c->error = rc < 0 ? errno : 0;
}

/* `{ code }` for an exit, `{ signal: 'SIGKILL' }` for a death by signal. */
static napi_value exit_value(napi_env env, int status) {
  napi_value result = NULL, value = NULL;
  napi_create_object(env, &result);
  if (WIFSIGNALED(status)) {
    char name[24];
    const char *abbreviation = sigabbrev_np(WTERMSIG(status));
    if (abbreviation != NULL) snprintf(name, sizeof name, "SIG%s", abbreviation);
    else snprintf(name, sizeof name, "SIG%d", WTERMSIG(status));
    napi_set_named_property(env, result, "signal", string_value(env, name));
  } else {
    napi_create_int32(env, WEXITSTATUS(status), &value);
    napi_set_named_property(env, result, "code", value);
  }
  return result;
}

static void wait_complete(napi_env env, napi_status status, void *data) {
  struct wait_call *c = data;
  if (status == napi_ok && c->error == 0) {
    napi_resolve_deferred(env, c->deferred, exit_value(env, c->status));
  } else {
    if (c->error == 0) c->error = ECANCELED;
    char message[96], fallback[16];
    snprintf(message, sizeof message, "waitpid(%d): %s (%s)", (int)c->pid, errno_name(c->error, fallback), strerror(c->error));
    napi_reject_deferred(env, c->deferred, errno_error(env, c->error, message, "waitpid", NULL));
  }
  napi_delete_async_work(env, c->work);
  free(c);
}

/* waitpid(pid): resolves when the child has exited and is reaped. */
static napi_value js_waitpid(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], promise, resource_name;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "waitpid(pid) needs a pid");
    return NULL;
  }
  int pid;
  /* Never 0 or negative: those would wait for any child, including libuv's. */
  if (int_arg(env, argv[0], "pid", 1, &pid) != 0) return NULL;
  struct wait_call *c = calloc(1, sizeof *c);
  if (c == NULL) {
    out_of_memory(env);
    return NULL;
  }
  c->pid = pid;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "berth:waitpid", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_create_async_work(env, NULL, resource_name, wait_execute, wait_complete, c, &c->work) != napi_ok) {
    free(c);
    napi_throw_error(env, NULL, "linux-syscalls: cannot queue the call");
    return NULL;
  }
  if (napi_queue_async_work(env, c->work) != napi_ok) {
    napi_delete_async_work(env, c->work);
    free(c);
    napi_throw_error(env, NULL, "linux-syscalls: cannot queue the call");
    return NULL;
  }
  return promise;
}

/* pipe(): [readFd, writeFd], both close-on-exec. */
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  napi_value result, read_end, write_end;
  if (pipe2(fds, O_CLOEXEC) != 0) {
    int error = errno;
    char message[96], fallback[16];
    snprintf(message, sizeof message, "pipe2: %s (%s)", errno_name(error, fallback), strerror(error));
    napi_throw(env, errno_error(env, error, message, "pipe", NULL));
    return NULL;
  }
  if (napi_create_array_with_length(env, 2, &result) != napi_ok || napi_create_int32(env, fds[0], &read_end) != napi_ok ||
      napi_create_int32(env, fds[1], &write_end) != napi_ok || napi_set_element(env, result, 0, read_end) != napi_ok ||
      napi_set_element(env, result, 1, write_end) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    napi_throw_error(env, NULL, "linux-syscalls: cannot return the pipe");
    return NULL;
  }
  return result;
}

/* close(fd). Not retried on EINTR: on Linux the descriptor is gone either way. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int fd;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "close(fd) needs a file descriptor");
    return NULL;
  }
  if (int_arg(env, argv[0], "fd", 0, &fd) != 0) return NULL;
  if (close(fd) != 0 && errno != EINTR) {
    int error = errno;
    char message[96], fallback[16];
    snprintf(message, sizeof message, "close(%d): %s (%s)", fd, errno_name(error, fallback), strerror(error));
    napi_throw(env, errno_error(env, error, message, "close", NULL));
  }
  return NULL;
}

napi_status define_process_calls(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"pipe", NULL, js_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spawn", NULL, js_spawn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waitpid", NULL, js_waitpid, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
}
