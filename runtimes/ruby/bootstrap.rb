# lambkin's Ruby runtime: runs inside an execution environment, speaks the Lambda Runtime API
# (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01) and calls the function's handler.
#   init:  require the handler's file; on failure POST /runtime/init/error and exit 1
#   loop:  GET /runtime/invocation/next -> handler(event:, context:) -> POST .../response or /error
# Standard library only; nothing here knows lambkin's host code.
require_relative 'lambkin/telemetry'
require_relative 'lambkin/client'
require_relative 'lambkin/context'
require_relative 'lambkin/handler'
require_relative 'lambkin/errors'
require_relative 'lambkin/prestart'

module Lambkin
  module Bootstrap
    module_function

    def run
      Telemetry.install(ENV)
      # lambkin's sandbox may show the host's Runtime API socket: straight there, skipping the TCP
      # forwarder behind AWS_LAMBDA_RUNTIME_API. Private to this runtime; user code never sees it.
      socket_path = ENV.delete('_LAMBKIN_RUNTIME_API_SOCKET')
      client = Client.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001'), socket_path&.empty? ? nil : socket_path)
      handler = begin
        Handler.load(ENV['_HANDLER'], ENV.fetch('LAMBDA_TASK_ROOT', Dir.pwd))
      rescue Errors::Fault => e
        init_failed(client, e.body)
      rescue StandardError, ScriptError, SystemStackError, NoMemoryError => e
        init_failed(client, Errors.from_exception(e, 'Init'))
      end
      loop { invoke_once(client, handler) }
    end

    def invoke_once(client, handler)
      status, headers, body = client.next_event
      raise IOError, "Runtime API answered #{status} to /next" unless status == 200

      request_id = headers['lambda-runtime-aws-request-id'].to_s
      Telemetry.request_id = request_id
      trace = headers['lambda-runtime-trace-id']
      trace ? ENV['_X_AMZN_TRACE_ID'] = trace : ENV.delete('_X_AMZN_TRACE_ID')
      error = nil
      begin
        event = JSON.parse(body.force_encoding(Encoding::UTF_8))
      rescue JSON::ParserError => e
        error = Errors.body("Unable to unmarshal input: #{e.message}", 'Runtime.UnmarshalError')
      end
      unless error
        begin
          result = handler.call(event, LambdaContext.new(headers))
          payload = Errors.marshal(result)
          return answer(client, "invocation/#{request_id}/response", payload)
        rescue Errors::Fault => e
          error = e.body
        rescue SystemExit, SignalException
          raise
        rescue Exception => e # rubocop:disable Lint/RescueException -- any failure of user code is the invocation's
          error = Errors.from_exception(e, 'Function')
        end
      end
      Telemetry.record('ERROR', 'Error raised from handler method', error)
      answer(client, "invocation/#{request_id}/error", JSON.generate(error), error['errorType'])
    end

    def answer(client, path, payload, error_type = nil)
      status, _, body = client.post(path, payload, error_type)
      return if status < 300

      # 403 (no longer the active request) or 413 (too large): the host made it the invocation's error.
      Telemetry.record('WARN', "Runtime API answered #{status} to #{path}: #{body}", nil)
    end

    def init_failed(client, error)
      Telemetry.record('ERROR', 'Init error', error)
      begin
        client.post('init/error', JSON.generate(error), error['errorType'])
      rescue SystemCallError, IOError
        nil
      end
      exit!(1)
    end
  end
end

# Started ahead of its function (lambkin's pre-started pool): wait here for its environment.
Lambkin::Prestart.await_assignment if ENV['_LAMBKIN_PRESTART']
begin
  Lambkin::Bootstrap.run
rescue SystemCallError, IOError => e
  # The Runtime API is unreachable: the environment is gone. Nothing to report to.
  warn "lambkin runtime: #{e.message}"
  exit!(1)
end
