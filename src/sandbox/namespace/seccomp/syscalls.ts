// Syscall numbers the seccomp policy names, per architecture (x86_64 from the kernel's
// arch/x86/entry/syscalls/syscall_64.tbl, aarch64 from include/uapi/asm-generic/unistd.h). A
// syscall an architecture does not have is simply absent from its table.

export type SyscallName =
  | 'acct' | 'add_key' | 'bpf' | 'clock_adjtime' | 'clock_settime' | 'clone' | 'clone3' | 'create_module'
  | 'delete_module' | 'fanotify_init' | 'finit_module' | 'fsconfig' | 'fsmount' | 'fsopen' | 'fspick'
  | 'get_kernel_syms' | 'init_module' | 'io_uring_enter' | 'io_uring_register' | 'io_uring_setup' | 'ioperm'
  | 'iopl' | 'kexec_file_load' | 'kexec_load' | 'keyctl' | 'lookup_dcookie' | 'mount' | 'mount_setattr'
  | 'move_mount' | 'name_to_handle_at' | 'nfsservctl' | 'open_by_handle_at' | 'open_tree' | 'perf_event_open'
  | 'personality' | 'pivot_root' | 'process_vm_readv' | 'process_vm_writev' | 'ptrace' | 'query_module'
  | 'quotactl' | 'quotactl_fd' | 'reboot' | 'request_key' | 'setdomainname' | 'sethostname' | 'setns'
  | 'settimeofday' | 'swapoff' | 'swapon' | 'syslog' | '_sysctl' | 'sysfs' | 'umount2' | 'unshare'
  | 'uselib' | 'userfaultfd' | 'ustat' | 'vhangup';

export type SyscallTable = Readonly<Partial<Record<SyscallName, number>>>;

/** Numbers 403 and up are the same on every architecture (the kernel unified them in 5.1). */
const COMMON: SyscallTable = {
  io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427, open_tree: 428, move_mount: 429,
  fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, clone3: 435, mount_setattr: 442, quotactl_fd: 443,
};

export const X86_64: SyscallTable = {
  ...COMMON,
  clone: 56, ptrace: 101, syslog: 103, uselib: 134, personality: 135, ustat: 136, sysfs: 139, vhangup: 153,
  pivot_root: 155, _sysctl: 156, acct: 163, settimeofday: 164, mount: 165, umount2: 166, swapon: 167,
  swapoff: 168, reboot: 169, sethostname: 170, setdomainname: 171, iopl: 172, ioperm: 173, create_module: 174,
  init_module: 175, delete_module: 176, get_kernel_syms: 177, query_module: 178, quotactl: 179,
  nfsservctl: 180, lookup_dcookie: 212, clock_settime: 227, kexec_load: 246, add_key: 248, request_key: 249,
  keyctl: 250, unshare: 272, perf_event_open: 298, fanotify_init: 300, name_to_handle_at: 303,
  open_by_handle_at: 304, clock_adjtime: 305, setns: 308, process_vm_readv: 310, process_vm_writev: 311,
  finit_module: 313, kexec_file_load: 320, bpf: 321, userfaultfd: 323,
};

export const AARCH64: SyscallTable = {
  ...COMMON,
  lookup_dcookie: 18, umount2: 39, mount: 40, pivot_root: 41, nfsservctl: 42, vhangup: 58, quotactl: 60,
  acct: 89, personality: 92, unshare: 97, kexec_load: 104, init_module: 105, delete_module: 106,
  clock_settime: 112, syslog: 116, ptrace: 117, reboot: 142, sethostname: 161, setdomainname: 162,
  settimeofday: 170, add_key: 217, request_key: 218, keyctl: 219, clone: 220, swapon: 224, swapoff: 225,
  perf_event_open: 241, fanotify_init: 262, name_to_handle_at: 264, open_by_handle_at: 265,
  clock_adjtime: 266, setns: 268, process_vm_readv: 270, process_vm_writev: 271, finit_module: 273,
  bpf: 280, userfaultfd: 282, kexec_file_load: 294,
};
