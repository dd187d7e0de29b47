# Finding the handler from _HANDLER as Lambda's Ruby runtime does: `file.method` (a method defined
# at the top level of file.rb) or `file.Module::Class.method` (a class method); the file may sit in
# a folder (`src/app.handler`). The handler is called as handler(event:, context:).
require_relative 'errors'
require_relative 'gems'

module Lambkin
  class Handler
    def self.load(spec, task_root)
      spec = 'lambda_function.lambda_handler' if spec.nil? || spec.empty?
      parts = spec.split('.')
      unless [2, 3].include?(parts.size) && parts.none?(&:empty?)
        raise Errors::Fault.new('Runtime.MalformedHandlerName',
                                "Invalid handler #{spec}: must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD")
      end
      file, *owner, method = parts
      Gems.enable(task_root) if Gems.bundled?(task_root)
      # Init<LoadError> (or the class of what the file's own code raised), as on Lambda.
      Gems.require_with_fallback(File.expand_path(file, task_root), task_root)
      receiver = owner.empty? ? TOPLEVEL_BINDING.receiver : resolve(owner.first, spec)
      unless receiver.respond_to?(method, true)
        where = owner.empty? ? "file '#{file}'" : "#{owner.first}"
        raise Errors::Fault.new('Runtime.HandlerNotFound', "Handler '#{method}' missing on #{where}")
      end
      new(receiver, method.to_sym)
    end

    def self.resolve(name, spec)
      Object.const_get(name)
    rescue NameError
      raise Errors::Fault.new('Runtime.HandlerNotFound', "Handler '#{spec}': #{name} is not defined")
    end

    def initialize(receiver, method)
      @receiver = receiver
      @method = method
    end

    def call(event, context)
      @receiver.__send__(@method, event: event, context: context)
    end
  end
end
