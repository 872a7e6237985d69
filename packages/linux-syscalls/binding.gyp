{
  "targets": [
    {
      "target_name": "linux_syscalls",
      "sources": ["native/syscalls.c", "native/process.c", "native/addon.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
