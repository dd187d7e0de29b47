// A small assembler for the classic BPF programs seccomp runs (struct sock_filter, 8 bytes each:
// u16 code, u8 jt, u8 jf, u32 k, native byte order). Jumps name labels; assemble() turns them
// into the forward offsets the kernel wants and refuses a program it would refuse.

/** Offsets into struct seccomp_data. */
export const DATA_NR = 0;
export const DATA_ARCH = 4;
/** The low 32 bits of argument i (little-endian machines: x86_64, aarch64). */
export const dataArgLow = (i: number): number => 16 + 8 * i;

export const RET_ALLOW = 0x7fff0000;
export const RET_ERRNO = 0x00050000;
export const RET_KILL_PROCESS = 0x80000000;

const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE_K = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const JSET_K = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const RET_K = 0x06; // BPF_RET | BPF_K

/** Where a jump goes: a label, or `next` (the following instruction). */
export type Target = string;
export const NEXT: Target = '';

export type Insn =
  | { readonly op: 'label'; readonly name: string }
  | { readonly op: 'load'; readonly offset: number }
  | { readonly op: 'jeq' | 'jge' | 'jset'; readonly k: number; readonly yes: Target; readonly no: Target }
  | { readonly op: 'ret'; readonly k: number };

export const label = (name: string): Insn => ({ op: 'label', name });
export const load = (offset: number): Insn => ({ op: 'load', offset });
export const jeq = (k: number, yes: Target, no: Target = NEXT): Insn => ({ op: 'jeq', k, yes, no });
export const jge = (k: number, yes: Target, no: Target = NEXT): Insn => ({ op: 'jge', k, yes, no });
export const jset = (k: number, yes: Target, no: Target = NEXT): Insn => ({ op: 'jset', k, yes, no });
export const ret = (k: number): Insn => ({ op: 'ret', k });

/** The kernel's BPF_MAXINSNS. */
const MAX_INSNS = 4096;

export function assemble(program: readonly Insn[]): Buffer {
  const real = program.filter((i) => i.op !== 'label');
  if (real.length === 0 || real.length > MAX_INSNS) throw new Error(`a seccomp program has 1 to ${MAX_INSNS} instructions, not ${real.length}`);
  const at = new Map<string, number>();
  let n = 0;
  for (const insn of program) {
    if (insn.op !== 'label') n++;
    else if (at.has(insn.name)) throw new Error(`label ${insn.name} defined twice`);
    else at.set(insn.name, n);
  }
  if (real.at(-1)!.op !== 'ret') throw new Error('a seccomp program must end with a return');
  const out = Buffer.alloc(real.length * 8);
  real.forEach((insn, pc) => {
    const offset = (target: Target): number => {
      if (target === NEXT) return 0;
      const to = at.get(target);
      if (to === undefined) throw new Error(`jump to unknown label ${target}`);
      const delta = to - pc - 1;
      // Classic BPF jumps only forward, at most 255 instructions.
      if (delta < 0 || delta > 255) throw new Error(`jump from ${pc} to ${target} (${to}) is out of range`);
      return delta;
    };
    let code: number, jt = 0, jf = 0, k: number;
    if (insn.op === 'load') [code, k] = [LD_W_ABS, insn.offset];
    else if (insn.op === 'ret') [code, k] = [RET_K, insn.k];
    else [code, jt, jf, k] = [insn.op === 'jeq' ? JEQ_K : insn.op === 'jge' ? JGE_K : JSET_K, offset(insn.yes), offset(insn.no), insn.k];
    out.writeUInt16LE(code, pc * 8);
    out.writeUInt8(jt, pc * 8 + 2);
    out.writeUInt8(jf, pc * 8 + 3);
    out.writeUInt32LE(k >>> 0, pc * 8 + 4);
  });
  return out;
}
