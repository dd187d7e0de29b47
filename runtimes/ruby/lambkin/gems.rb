# RubyGems on demand. The runtime starts with --disable-gems (50 ms less of every cold start); a
# package that brings gems gets RubyGems before its handler file loads, with the package's
# vendor/bundle on GEM_PATH as on Lambda. A package that requires a gem without saying so
# (no Gemfile) gets RubyGems at its first LoadError, and the require is tried once more.
require 'rbconfig'

module Lambkin
  module Gems
    module_function

    def bundled?(task_root)
      File.exist?(File.join(task_root, 'Gemfile')) || Dir.exist?(File.join(task_root, 'vendor', 'bundle'))
    end

    def enable(task_root)
      return if defined?(::Gem)

      vendor = File.join(task_root, 'vendor', 'bundle', 'ruby', RbConfig::CONFIG['ruby_version'])
      ENV['GEM_PATH'] = [vendor, ENV['GEM_PATH']].compact.reject(&:empty?).join(File::PATH_SEPARATOR)
      require 'rubygems'
      Gem.clear_paths # so that GEM_PATH set above counts
    end

    def require_with_fallback(path, task_root)
      require path
    rescue LoadError
      raise if defined?(::Gem)

      enable(task_root)
      require path
    end
  end
end
