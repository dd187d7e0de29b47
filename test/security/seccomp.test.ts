// The namespace sandbox's seccomp filter (issue 14, item 13), seen from a Python function: each
// denied syscall, called with ctypes, fails with EPERM (clone3 with ENOSYS, so that glibc falls
// back to clone), and what a function does need still works: fork, clone without namespace flags,
// unshare of its own file table, the personality query. Syscalls of another ABI (x32, i386's
// int 0x80) are refused. Each probe runs in a forked child, so that a syscall the filter failed to
// stop (on a server without it) cannot change the runtime itself.
import { describe, expect, it } from 'vitest';
import type { Lambkin } from '../helpers/server.js';
import { call, deploy, stillServes, withBystanderServer } from './hostile.js';
import { DENIED } from '../../src/sandbox/namespace/seccomp/index.js';
import { X86_64 } from '../../src/sandbox/namespace/seccomp/syscalls.js';

const PROBE = `
import ctypes, mmap, os, struct

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def in_child(fn):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(w, struct.pack('qq', *fn()))
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 16)
    os.close(r)
    os.waitpid(pid, 0)
    return list(struct.unpack('qq', data)) if len(data) == 16 else ['no answer', 0]

def syscall(nr, *args):
    def go():
        ctypes.set_errno(0)
        res = libc.syscall(ctypes.c_long(nr), *[ctypes.c_ulong(a) for a in args])
        if res == 0 and nr in (56, 435):  # the child of a clone that went through
            os._exit(0)
        return res, ctypes.get_errno()
    return in_child(go)

def int80_getpid():
    # mov eax, 20 (i386 getpid); int 0x80; ret
    code = bytes([0xb8, 20, 0, 0, 0, 0xcd, 0x80, 0xc3])
    m = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    m.write(code)
    fn = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))
    return in_child(lambda: (fn(), os.getpid()))

def lambda_handler(event, context):
    denied = {name: syscall(nr, 0, 0, 0, 0, 0) for name, nr in event['denied'].items()}
    ns_flags = {hex(f): syscall(56, f | 17, 0, 0, 0, 0) for f in event['cloneFlags']}
    unshare_ns = {hex(f): syscall(272, f) for f in event['cloneFlags'] + [0x80]}
    personality = {hex(p): syscall(135, p) for p in [0, 8, 0x20000, 0x20008, 0xffffffff, 0x0040000, 0x0400000]}
    return {
        'denied': denied,
        'cloneNs': ns_flags,
        'unshareNs': unshare_ns,
        'clone3': syscall(435, 0, 0),
        'plainClone': syscall(56, 17, 0, 0, 0, 0),
        'fork': in_child(lambda: (os.fork() if False else 1, 0)),
        'unshareFiles': syscall(272, 0x400),
        'personality': personality,
        'x32getpid': syscall(0x40000000 | 39),
        'int80': int80_getpid(),
        'fds': sorted(os.listdir('/proc/self/fd')),
    }
`;

// Real forks, several levels deep: Python's os.fork and a subprocess.
const FORKS = `
import os, subprocess
def lambda_handler(event, context):
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    out = subprocess.run(['/bin/sh', '-c', 'echo $((6*7))'], capture_output=True, text=True).stdout.strip()
    return {'childExit': os.waitstatus_to_exitcode(status), 'shell': out}
`;

const EPERM = 1;
const ENOSYS = 38;
const NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

let lk: Lambkin;
withBystanderServer((server) => (lk = server));

describe.runIf(process.arch === 'x64')('seccomp in the namespace sandbox', () => {
  it('denied syscalls fail with EPERM, clone3 with ENOSYS; fork, plain clone and the personality query work', async () => {
    const denied = Object.fromEntries(DENIED.filter((s) => X86_64[s] !== undefined).map((s) => [s, X86_64[s]]));
    await deploy(lk.lambda, 'syscalls', PROBE, { runtime: 'python3.11', timeout: 60 });
    const r = await call(lk.lambda, 'syscalls', { denied, cloneFlags: NAMESPACE_FLAGS });
    expect(r.functionError, r.text).toBeUndefined();
    const b = r.body;
    for (const name of Object.keys(denied)) expect([name, ...b.denied[name]]).toEqual([name, -1, EPERM]);
    for (const f of Object.keys(b.cloneNs)) expect(['clone', f, ...b.cloneNs[f]]).toEqual(['clone', f, -1, EPERM]);
    for (const f of Object.keys(b.unshareNs)) expect(['unshare', f, ...b.unshareNs[f]]).toEqual(['unshare', f, -1, EPERM]);
    expect(b.clone3).toEqual([-1, ENOSYS]);
    expect(b.plainClone[0]).toBeGreaterThan(0); // a child's pid
    expect(b.fork).toEqual([1, 0]);
    expect(b.unshareFiles).toEqual([0, 0]);
    for (const p of ['0x0', '0x8', '0x20000', '0x20008', '0xffffffff']) expect([p, b.personality[p][0]]).not.toEqual([p, -1]);
    expect(b.personality['0x40000']).toEqual([-1, EPERM]); // ADDR_NO_RANDOMIZE
    expect(b.personality['0x400000']).toEqual([-1, EPERM]); // READ_IMPLIES_EXEC
    expect(b.x32getpid).toEqual([-1, EPERM]);
    expect(b.int80[0]).toBe(-EPERM); // not the pid (i386 emulation on) nor -ENOSYS (off)
    // bwrap's copy of the filter's fd (6) does not reach the function.
    expect(b.fds).not.toContain('6');
    await stillServes(lk.lambda);
  });

  it('processes still fork and exec under the filter', async () => {
    await deploy(lk.lambda, 'forks', FORKS, { runtime: 'python3.11' });
    const r = await call(lk.lambda, 'forks');
    expect(r.body).toEqual({ childExit: 7, shell: '42' });
  });
});
