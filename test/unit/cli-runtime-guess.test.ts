// `lambkin deploy` guesses the runtime from the package's files: the handler's own file first
// (Python, Node.js, Ruby — whose handler may name a class), then what sits at the root.
import { describe, expect, it } from 'vitest';
import { guessRuntime, missingHandlerFile } from '../../src/cli/runtime-guess.js';

describe('guessRuntime', () => {
  it('takes the handler\'s file: .py, .js, .rb', () => {
    expect(guessRuntime(['lambda_function.py'], 'lambda_function.lambda_handler')?.runtime).toBe('python3.11');
    expect(guessRuntime(['lambda_function.mjs'], 'lambda_function.lambda_handler')?.runtime).toBe('nodejs20.x');
    expect(guessRuntime(['lambda_function.rb'], 'lambda_function.lambda_handler')).toEqual({ runtime: 'ruby3.3', because: 'lambda_function.rb' });
  });

  it('finds a Ruby handler file named with a class, in a folder', () => {
    expect(guessRuntime(['src/app.rb', 'util.py'], 'src/app.Billing::Handler.process')).toEqual({ runtime: 'ruby3.3', because: 'src/app.rb' });
  });

  it('falls back to the files at the root: a .rb file or a Gemfile means Ruby', () => {
    expect(guessRuntime(['app.rb', 'lib/x.rb'], 'lambda_function.lambda_handler')?.runtime).toBe('ruby3.3');
    expect(guessRuntime(['Gemfile', 'lib/handler.rb'], 'lambda_function.lambda_handler')?.runtime).toBe('ruby3.3');
    expect(guessRuntime(['package.json'], 'index.handler')?.runtime).toBe('nodejs20.x');
    expect(guessRuntime(['README.md'], 'index.handler')).toBeUndefined();
  });
});

describe('missingHandlerFile', () => {
  it('knows where Ruby looks for the handler', () => {
    expect(missingHandlerFile(['app.rb'], 'app.Billing::Handler.process', 'ruby3.3')).toBeUndefined();
    expect(missingHandlerFile(['app.rb'], 'lambda_function.lambda_handler', 'ruby3.3')).toMatch(/no lambda_function\.rb/);
  });
});
