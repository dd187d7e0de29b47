// The seccomp filter of the namespace sandbox: bwrap loads it (--seccomp FD) after its own set-up,
// right before it runs the command, so it binds setpriv, the init script, socat and the function
// alike, and nothing inside can remove it (filters only ever add up). It denies, with EPERM, what
// Docker's default profile denies and a function never needs: the kernel's keyring, BPF,
// perf events, userfaultfd, io_uring, loading kernels and modules, mounting (old and new mount
// API), pivot_root, making or joining namespaces (unshare, setns, clone with a CLONE_NEW* flag),
// ptrace and process_vm_readv/writev, personality flags other than Linux's own (0, 8, 0x20000,
// 0x20008 and the query 0xffffffff, as Docker allows), quotas, swap, reboot, the clocks, port I/O,
// file handles, fanotify, acct, syslog. clone3 gets ENOSYS instead: its flags are in a struct a
// filter cannot read, and ENOSYS makes glibc (2.34+) fall back to clone, which is checked (Docker
// does the same). Syscalls of another architecture (i386's int 0x80, the x32 ABI) are refused:
// the lists below would not match their numbers.
//
// ptrace is denied outright, as on Lambda (strace does not work there either): a function's
// processes are alone in their pid namespace under a uid of their own, so ptrace could reach only
// the environment's own helpers (the init shell, socat) — not worth the kernel surface.
import { AARCH64, X86_64, type SyscallName, type SyscallTable } from './syscalls.js';
import {
  assemble, DATA_ARCH, DATA_NR, dataArgLow, jeq, jge, jset, label, load, ret, RET_ALLOW, RET_ERRNO, type Insn,
} from './bpf.js';

const EPERM = 1;
const ENOSYS = 38;

/** AUDIT_ARCH_* of the architectures a filter can be made for. */
export const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const;
export type FilterArch = keyof typeof AUDIT_ARCH;
const TABLES: Record<FilterArch, SyscallTable> = { x64: X86_64, arm64: AARCH64 };

/** Denied whatever their arguments. */
export const DENIED: readonly SyscallName[] = [
  'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'fanotify_init',
  'finit_module', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_kernel_syms', 'init_module', 'io_uring_enter',
  'io_uring_register', 'io_uring_setup', 'ioperm', 'iopl', 'kexec_file_load', 'kexec_load', 'keyctl',
  'lookup_dcookie', 'mount', 'mount_setattr', 'move_mount', 'name_to_handle_at', 'nfsservctl',
  'open_by_handle_at', 'open_tree', 'perf_event_open', 'pivot_root', 'process_vm_readv', 'process_vm_writev',
  'ptrace', 'query_module', 'quotactl', 'quotactl_fd', 'reboot', 'request_key', 'setdomainname', 'sethostname',
  'setns', 'settimeofday', 'swapoff', 'swapon', 'syslog', '_sysctl', 'sysfs', 'umount2', 'uselib',
  'userfaultfd', 'ustat', 'vhangup',
];

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
export const CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
/** unshare() also takes CLONE_NEWTIME (in clone()'s flags that bit is part of the exit signal). */
const CLONE_NEWTIME = 0x00000080;
/** personality() values Docker allows: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query. */
export const PERSONALITIES = [0, 8, 0x20000, 0x20008, 0xffffffff] as const;
/** x32 ABI syscalls are the x86_64 numbers with this bit set. */
const X32_SYSCALL_BIT = 0x40000000;

/** The filter's program, symbolic (for tests) — assemble() makes the bytes bwrap reads. */
export function policy(arch: FilterArch): Insn[] {
  const table = TABLES[arch];
  const nr = (name: SyscallName): number => {
    const n = table[name];
    if (n === undefined) throw new Error(`no ${name} on ${arch}`);
    return n;
  };
  // Each syscall named here and where it goes; every other number is allowed.
  const special = new Map<number, string>(DENIED.map((s) => table[s]).filter((n): n is number => n !== undefined).map((n) => [n, 'eperm']));
  special.set(nr('clone'), 'clone').set(nr('unshare'), 'unshare').set(nr('personality'), 'personality').set(nr('clone3'), 'enosys');
  return [
    load(DATA_ARCH),
    jeq(AUDIT_ARCH[arch], '', 'eperm'),
    load(DATA_NR),
    ...(arch === 'x64' ? [jge(X32_SYSCALL_BIT, 'eperm')] : []),
    ...search([...special].sort((x, y) => x[0] - y[0])),
    // clone(flags, …) and unshare(flags): the flags are the first argument on both architectures;
    // only their low 32 bits exist for the kernel.
    label('clone'),
    load(dataArgLow(0)),
    jset(CLONE_NAMESPACES, 'eperm', 'allow'),
    label('unshare'),
    load(dataArgLow(0)),
    jset(CLONE_NAMESPACES | CLONE_NEWTIME, 'eperm', 'allow'),
    // personality(unsigned int): the kernel reads only the low 32 bits.
    label('personality'),
    load(dataArgLow(0)),
    ...PERSONALITIES.map((p) => jeq(p, 'allow')),
    label('eperm'),
    ret(RET_ERRNO | EPERM),
    label('allow'),
    ret(RET_ALLOW),
    label('enosys'),
    ret(RET_ERRNO | ENOSYS),
  ];
}

/**
 * A binary search over the syscall numbers (sorted) that lead somewhere else than `allow`: every
 * syscall costs ~log2(60) + 4 comparisons instead of one per number named (libseccomp does the same).
 */
function search(entries: readonly (readonly [number, string])[], prefix = 's'): Insn[] {
  if (entries.length <= 4) return [...entries.map(([n, to]) => jeq(n, to)), ret(RET_ALLOW)];
  const mid = Math.floor(entries.length / 2);
  const high = `${prefix}h`;
  return [
    jge(entries[mid]![0], high),
    ...search(entries.slice(0, mid), `${prefix}l`),
    label(high),
    ...search(entries.slice(mid), high),
  ];
}

/** The filter for the machine the server runs on, or undefined where lambkin has no syscall table. */
export function seccompFilter(arch: string = process.arch): Buffer | undefined {
  return arch in AUDIT_ARCH ? assemble(policy(arch as FilterArch)) : undefined;
}
