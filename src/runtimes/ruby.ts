// Ruby (`ruby3.2`, `ruby3.3`): the machine's `ruby` (Debian's) runs runtimes/ruby/bootstrap.rb.
// The id names the Lambda runtime a function was written for; the Ruby that runs it is whatever
// the server has (`lambkin runtimes` shows which).
import { join } from 'node:path';
import type { RuntimeSpec } from './catalogue.js';
import { onPath } from './binaries.js';

export const RUBY: RuntimeSpec = {
  ids: ['ruby3.2', 'ruby3.3'],
  family: 'ruby',
  name: 'Ruby',
  directSocket: true,
  // RUBYOPT and RUBYLIB are read as Ruby starts; the function's own RUBYLIB is not applied later.
  prestart: { startupVariables: /^RUBY/ },
  launch: ({ runtimeDir, taskRoot }) => ({
    command: onPath('ruby') ?? 'ruby',
    // Without RubyGems a Ruby starts in ~20 ms instead of ~70: the bootstrap loads it only for a
    // package that brings gems (Gemfile, vendor/bundle) or requires something not in the standard
    // library (runtimes/ruby/lambkin/handler.rb).
    args: ['--disable-gems', join(runtimeDir, 'ruby', 'bootstrap.rb')],
    // As on Lambda: `require 'x'` finds the package's own files.
    env: { RUBYLIB: taskRoot },
  }),
  missing: () => (onPath('ruby') ? undefined : 'ruby is not installed: apt-get install -y ruby'),
};
