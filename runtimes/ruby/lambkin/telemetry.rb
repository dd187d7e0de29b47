# Logging inside the environment, as Lambda's Ruby runtime does it: $stdout and $stderr write to
# the telemetry pipe (_LAMBDA_TELEMETRY_LOG_FD), one frame per write call, so that `puts` of a
# multi-line text stays one log event:
#   u32 BE 0xa55a0003 (text), u32 BE payload length, u64 BE µs since epoch, payload
# Without the fd, both stay as they are (plain lines on stdout and stderr).
module Lambkin
  module Telemetry
    FRAME_TEXT = 0xa55a0003

    # An IO-like sink: what Kernel#puts, #print, Logger and friends need from $stdout.
    class Sink
      def initialize(pipe)
        @pipe = pipe
        @lock = Mutex.new
      end

      def write(*args)
        text = args.join
        Telemetry.frame(@pipe, @lock, text.end_with?("\n") ? text.chomp("\n") : text) unless text.empty?
        text.bytesize
      end

      def puts(*args)
        return write("\n") if args.empty?

        out = +''
        args.flatten.each do |a|
          s = a.nil? ? '' : a.to_s
          out << s
          out << "\n" unless s.end_with?("\n")
        end
        write(out)
        nil
      end

      def print(*args)
        write(*args.map(&:to_s))
        nil
      end

      def printf(format, *args)
        write(Kernel.format(format, *args))
        nil
      end

      def <<(obj)
        write(obj.to_s)
        self
      end

      def flush = self
      def sync = true
      def sync=(_value); end
      def fsync = 0
      def tty? = false
      def isatty = false
      def fileno = @pipe.fileno
      def close; end
      def closed? = false
      def external_encoding = Encoding::UTF_8
      def set_encoding(*) = self
    end

    class << self
      attr_accessor :request_id

      def install(env)
        raw = env.delete('_LAMBDA_TELEMETRY_LOG_FD')
        return unless raw&.match?(/\A\d+\z/) && raw.to_i > 2

        pipe = IO.for_fd(raw.to_i, 'wb', autoclose: false)
        pipe.close_on_exec = true # child processes don't get it
        pipe.sync = true
        @pipe = pipe
        @lock = Mutex.new
        $stdout = Sink.new(pipe)
        $stderr = Sink.new(pipe)
      rescue SystemCallError, ArgumentError
        @pipe = nil
      end

      # The runtime's own record: `<time>\t<request id>\t<LEVEL>\t<label> <error as JSON>`.
      def record(level, label, error)
        time = Time.now.utc.strftime('%Y-%m-%dT%H:%M:%S.%LZ')
        text = "#{time}\t#{request_id || 'undefined'}\t#{level}\t#{label}"
        text += " #{JSON.generate(error)}" if error
        if @pipe
          frame(@pipe, @lock, text)
        else
          $stdout.write(text.tr("\n", "\r") + "\n")
          $stdout.flush
        end
      end

      def frame(pipe, lock, text)
        data = text.dup.force_encoding(Encoding::BINARY)
        micros = Process.clock_gettime(Process::CLOCK_REALTIME, :microsecond)
        frame = [FRAME_TEXT, data.bytesize, micros >> 32, micros & 0xffffffff].pack('NNNN') + data
        lock.synchronize do
          written = 0
          written += pipe.syswrite(written.zero? ? frame : frame.byteslice(written..)) while written < frame.bytesize
        end
      rescue SystemCallError, IOError
        nil # the host is gone: drop the record rather than fail the user's code
      end
    end
  end
end
