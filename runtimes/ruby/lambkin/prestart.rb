# A pre-started runtime (lambkin's sandbox/prestart/pool.ts): started before its function was
# known, with _LAMBKIN_PRESTART set and a pipe on stdin. Its files are required by now; it blocks
# here until the host writes the function's whole environment (one JSON object) and closes the
# pipe, then takes that environment as its own - nothing of the start-up one is left - and puts
# /dev/null on fd 0, as a runtime started normally has.
require 'json'

module Lambkin
  module Prestart
    module_function

    def await_assignment
      text = $stdin.binmode.read
      exit!(0) if text.nil? || text.empty? # closed without a word: the host gave up this sandbox
      env = JSON.parse(text.force_encoding(Encoding::UTF_8))
      started_with = lib_dirs(ENV['RUBYLIB'])
      ENV.replace(env)
      # Ruby put RUBYLIB at the head of $LOAD_PATH as it started: put the function's there instead
      # (the package's folder, and its layers' /opt/ruby/lib), as a start for it would have.
      $LOAD_PATH.shift(started_with.size) if $LOAD_PATH.first(started_with.size) == started_with
      $LOAD_PATH.unshift(*lib_dirs(env['RUBYLIB']))
      $stdin.reopen(File::NULL)
    end

    def lib_dirs(value)
      value.to_s.split(File::PATH_SEPARATOR).reject(&:empty?).map { |d| File.expand_path(d) }
    end
  end
end
