# A small HTTP/1.1 client for the Runtime API on one kept-alive socket. The protocol is strictly
# sequential (next, then response or error), so blocking calls without a timeout suffice: GET /next
# may wait for many minutes. net/http would cost tens of ms of every cold start.
require 'socket'

module Lambkin
  class Client
    PREFIX = '/2018-06-01/runtime/'.freeze

    # address: host:port as in AWS_LAMBDA_RUNTIME_API (also the Host header); socket_path: a unix
    # socket to connect to instead.
    def initialize(address, socket_path = nil)
      @socket_path = socket_path
      host, _, port = address.rpartition(':')
      host = host[1..-2] if host.start_with?('[')
      @host = host.empty? ? '127.0.0.1' : host
      @port = Integer(port)
      @host_header = address
      @sock = nil
    end

    # [status, headers (lower-case names), body (binary String)]
    def next_event
      request("GET #{PREFIX}invocation/next HTTP/1.1\r\nHost: #{@host_header}\r\n\r\n", nil)
    end

    def post(path, body, error_type = nil)
      body = body.b
      head = +"POST #{PREFIX}#{path} HTTP/1.1\r\nHost: #{@host_header}\r\n"
      head << "Lambda-Runtime-Function-Error-Type: #{error_type.to_s.tr("\r\n", '  ')}\r\n" if error_type
      head << "Content-Type: application/json\r\nContent-Length: #{body.bytesize}\r\n\r\n"
      request(head, body)
    end

    private

    def request(head, body)
      retried = false
      begin
        reused = !@sock.nil?
        open unless @sock
        @sock.write(head.b)
        @sock.write(body) if body
        read_response
      rescue SystemCallError, IOError
        close
        # A kept-alive socket the server closed meanwhile: one fresh try.
        raise if !reused || retried

        retried = true
        retry
      end
    end

    def open
      if @socket_path
        @sock = UNIXSocket.new(@socket_path)
      else
        @sock = TCPSocket.new(@host, @port)
        @sock.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
      end
      @sock.binmode
    end

    def close
      @sock&.close
    rescue IOError
      nil
    ensure
      @sock = nil
    end

    def read_response
      line = @sock.gets("\r\n")
      raise EOFError, 'the Runtime API closed the connection' if line.nil?

      status = line.split(' ', 3)[1].to_i
      headers = {}
      while (l = @sock.gets("\r\n")) && l != "\r\n"
        name, value = l.split(':', 2)
        headers[name.strip.downcase] = value.to_s.strip
      end
      body = if headers['content-length']
               n = headers['content-length'].to_i
               n.zero? ? +'' : @sock.read(n)
             elsif headers['transfer-encoding'].to_s.casecmp?('chunked')
               read_chunked
             else
               @sock.read.tap { close }
             end
      raise EOFError, 'truncated body' if body.nil?

      close if headers['connection'].to_s.casecmp?('close')
      [status, headers, body]
    end

    def read_chunked
      out = +''
      loop do
        size = @sock.gets("\r\n").to_s.split(';').first.to_i(16)
        if size.zero?
          nil while (t = @sock.gets("\r\n")) && t != "\r\n"
          return out
        end
        out << @sock.read(size)
        @sock.gets("\r\n")
      end
    end
  end
end
