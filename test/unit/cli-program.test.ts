// The CLI loads only the command it runs (a command's file and its libraries cost start-up time):
// which command an argv names, past the global --endpoint, and `help <command>`.
import { describe, expect, it } from 'vitest';
import { commandOf } from '../../src/cli/program.js';

const run = (...args: string[]) => commandOf(['node', 'lambkin', ...args])?.names[0];

describe('commandOf', () => {
  it('names the command, past --endpoint in either form', () => {
    expect(run('logs', 'fn', '--request-id', 'x')).toBe('logs');
    expect(run('--endpoint', 'http://h:1', 'logs', 'fn')).toBe('logs');
    expect(run('--endpoint=http://h:1', 'deploy', '.')).toBe('deploy');
  });

  it('knows aliases and `help <command>`', () => {
    expect(run('list')).toBe('ls');
    expect(run('delete', 'fn')).toBe('rm');
    expect(run('help', 'deploy')).toBe('deploy');
  });

  it('is unsure (so every command loads) for no command, an unknown one, or another option first', () => {
    expect(run()).toBeUndefined();
    expect(run('--help')).toBeUndefined();
    expect(run('-V')).toBeUndefined();
    expect(run('help')).toBeUndefined();
    expect(run('lgos', 'fn')).toBeUndefined();
    expect(run('--bogus', 'logs')).toBeUndefined();
  });
});
