# Failures as Lambda's Ruby runtime reports them: {errorMessage, errorType, stackTrace}, the type
# written `Function<ClassName>` for the handler's own errors and `Init<ClassName>` for errors while
# loading its file. Failures of the runtime itself carry a Runtime.* type.
require 'json'

module Lambkin
  module Errors
    OWN_DIR = File.expand_path('..', __dir__)

    class Fault < StandardError
      attr_reader :error_type

      def initialize(error_type, message)
        super(message)
        @error_type = error_type
      end

      def body
        Errors.body(message, @error_type)
      end
    end

    module_function

    def body(message, type, trace = [])
      { 'errorMessage' => message.to_s, 'errorType' => type, 'stackTrace' => trace }
    end

    def from_exception(error, phase)
      trace = (error.backtrace || []).reject { |f| f.start_with?(OWN_DIR) }
      message = begin
        error.message.to_s
      rescue StandardError
        '<message could not be read>'
      end
      body(message.encode('UTF-8', invalid: :replace, undef: :replace), "#{phase}<#{error.class.name}>", trace)
    end

    # The result as JSON, as Lambda's Ruby runtime writes it (`to_json`): what JSON cannot hold
    # (NaN, Infinity, bytes that are not UTF-8) is a Runtime.MarshalError.
    def marshal(result)
      result.to_json
    rescue JSON::GeneratorError, Encoding::UndefinedConversionError, SystemStackError, JSON::NestingError => e
      raise Fault.new('Runtime.MarshalError', "Unable to marshal response: #{e.message.lines.first.to_s.strip}")
    end
  end
end
