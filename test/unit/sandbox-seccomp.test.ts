// The seccomp program generator, run through a small classic-BPF interpreter (the subset the
// generator emits): every denied syscall of both architectures gets EPERM, clone3 ENOSYS, clone and
// unshare only with namespace flags, personality only with flags other than Docker's five, any
// other architecture or the x32 ABI EPERM, everything else ALLOW. The real kernel's verdicts are in
// test/security/seccomp.test.ts.
import { describe, expect, it } from 'vitest';
import { assemble, jeq, label, ret, RET_ALLOW, RET_ERRNO } from '../../src/sandbox/namespace/seccomp/bpf.js';
import { AUDIT_ARCH, CLONE_NAMESPACES, DENIED, policy, seccompFilter, type FilterArch } from '../../src/sandbox/namespace/seccomp/index.js';
import { AARCH64, X86_64 } from '../../src/sandbox/namespace/seccomp/syscalls.js';

/** Run a program on seccomp_data { nr, arch, ip = 0, args }. */
function run(prog: Buffer, nr: number, arch: number, args: readonly number[] = []): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr, 0);
  data.writeUInt32LE(arch, 4);
  args.forEach((a, i) => { data.writeBigUInt64LE(BigInt(a), 16 + 8 * i); });
  let acc = 0;
  for (let pc = 0; pc * 8 < prog.length; pc++) {
    const code = prog.readUInt16LE(pc * 8), jt = prog[pc * 8 + 2]!, jf = prog[pc * 8 + 3]!, k = prog.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = data.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) !== 0 ? jt : jf;
    else throw new Error(`unknown opcode ${code.toString(16)} at ${pc}`);
  }
  throw new Error('fell off the end of the program');
}

const EPERM = RET_ERRNO | 1;
const ENOSYS = RET_ERRNO | 38;

describe.each([['x64', X86_64], ['arm64', AARCH64]] as const)('seccomp program for %s', (arch: FilterArch, table) => {
  const prog = assemble(policy(arch));
  const native = AUDIT_ARCH[arch];
  const verdict = (nr: number, args?: readonly number[]) => run(prog, nr, native, args);

  it('denies every listed syscall the architecture has, with EPERM', () => {
    const listed = DENIED.filter((s) => table[s] !== undefined);
    expect(listed.length).toBeGreaterThan(35);
    for (const s of listed) expect([s, verdict(table[s]!)]).toEqual([s, EPERM]);
  });

  it('allows the rest', () => {
    const named = new Set(Object.values(table));
    for (let nr = 0; nr < 460; nr++) if (!named.has(nr)) expect([nr, verdict(nr)]).toEqual([nr, RET_ALLOW]);
  });

  it('clone and unshare: only without namespace flags; clone3: ENOSYS', () => {
    expect(verdict(table.clone!, [0x11])).toBe(RET_ALLOW); // fork's SIGCHLD
    expect(verdict(table.clone!, [0x3d0f00])).toBe(RET_ALLOW); // pthread_create's flags
    for (let bit = 0; bit < 32; bit++) {
      const flag = 2 ** bit;
      expect([flag, verdict(table.clone!, [(flag | 0x11) >>> 0])]).toEqual([flag, (flag & CLONE_NAMESPACES) ? EPERM : RET_ALLOW]);
    }
    expect(verdict(table.unshare!, [0x400])).toBe(RET_ALLOW); // CLONE_FILES
    expect(verdict(table.unshare!, [0x80])).toBe(EPERM); // CLONE_NEWTIME
    expect(verdict(table.unshare!, [0x10000000])).toBe(EPERM);
    expect(verdict(table.clone3!, [0, 88])).toBe(ENOSYS);
  });

  it('personality: Docker\'s five values only', () => {
    for (const p of [0, 8, 0x20000, 0x20008, 0xffffffff]) expect(verdict(table.personality!, [p])).toBe(RET_ALLOW);
    for (const p of [0x0040000, 0x0400000, 0x0200000, 1, 0x20009]) expect(verdict(table.personality!, [p])).toBe(EPERM);
  });

  it('refuses other architectures', () => {
    for (const other of [0x40000003 /* i386 */, ...Object.values(AUDIT_ARCH).filter((a) => a !== native)]) {
      expect(run(prog, table.clone!, other, [0x11])).toBe(EPERM);
      expect(run(prog, 39, other)).toBe(EPERM);
    }
  });
});

describe('seccomp program', () => {
  it('x86_64 refuses the x32 ABI (numbers with bit 30 set)', () => {
    const prog = assemble(policy('x64'));
    expect(run(prog, 0x40000000 | 39, AUDIT_ARCH.x64)).toBe(EPERM);
    expect(run(prog, 39, AUDIT_ARCH.x64)).toBe(RET_ALLOW);
  });

  it('has a filter for this machine, and none where lambkin has no syscall table', () => {
    if (process.arch === 'x64' || process.arch === 'arm64') expect(seccompFilter()!.length % 8).toBe(0);
    expect(seccompFilter('riscv64')).toBeUndefined();
  });

  it('the assembler refuses what the kernel would', () => {
    expect(() => assemble([jeq(1, 'nowhere'), ret(0)])).toThrow(/unknown label/);
    expect(() => assemble([label('back'), ret(0), jeq(1, 'back'), ret(0)])).toThrow(/out of range/);
    expect(() => assemble([jeq(1, 'x')])).toThrow(/end with a return/);
    const far = [jeq(1, 'far'), ...Array.from({ length: 256 }, () => ret(0)), label('far'), ret(1)];
    expect(() => assemble(far)).toThrow(/out of range/);
  });
});
