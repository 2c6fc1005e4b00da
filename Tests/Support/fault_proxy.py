#!/usr/bin/env python3
"""A small HTTP/1.1 proxy that slows or fails requests on their way to a real store (test tooling).

    fault_proxy.py UPSTREAM_PORT

Listens on a free 127.0.0.1 port and prints "listening PORT". Each client connection gets its own
connection to 127.0.0.1:UPSTREAM_PORT; requests are read whole (head and Content-Length body) and
forwarded, answers are relayed byte for byte. Commands on standard input, each answered "ok":

    delay MS        wait MS milliseconds before forwarding each request (0: none)
    fail-puts N     answer the next N PUT requests with 503 SlowDown (S3's XML error document)
                    instead of forwarding them
    hold            keep every new request waiting (a stalled store) until "release"
    release         forward the held requests and stop holding

Every request is logged on standard output as "request METHOD PATH" or "failed METHOD PATH". The
proxy never changes what it forwards: it is a slow or faulty network in front of a real server,
not a stand-in for one. Clients must not pipeline (one request at a time per connection).
"""
import asyncio
import sys

UPSTREAM_PORT = int(sys.argv[1])
state = {"delay": 0.0, "fail_puts": 0}
released = None  # an asyncio.Event, set while requests flow

SLOW_DOWN = (
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
    b"<Message>Please reduce your request rate (injected by fault_proxy).</Message></Error>"
)


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def read_request(reader):
    """Returns (head bytes, body bytes, method, path), or None at the end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head, body, method, path


async def relay(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(client_reader, client_writer):
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM_PORT)
    except OSError:
        client_writer.close()
        return
    answers = asyncio.create_task(relay(upstream_reader, client_writer))
    try:
        while True:
            request = await read_request(client_reader)
            if request is None:
                break
            head, body, method, path = request
            if method == "PUT" and state["fail_puts"] > 0:
                state["fail_puts"] -= 1
                say(f"failed {method} {path}")
                client_writer.write(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\n"
                    + f"Content-Length: {len(SLOW_DOWN)}\r\n\r\n".encode()
                    + SLOW_DOWN
                )
                await client_writer.drain()
                continue
            await released.wait()
            say(f"request {method} {path}")
            if state["delay"] > 0:
                await asyncio.sleep(state["delay"])
            upstream_writer.write(head + body)
            await upstream_writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        upstream_writer.close()
        await asyncio.gather(answers, return_exceptions=True)


async def commands():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return  # standard input closed: the test is done
        words = line.decode().split()
        if words[:1] == ["delay"]:
            state["delay"] = int(words[1]) / 1000
        elif words[:1] == ["fail-puts"]:
            state["fail_puts"] = int(words[1])
        elif words[:1] == ["hold"]:
            released.clear()
        elif words[:1] == ["release"]:
            released.set()
        say("ok")


async def main():
    global released
    released = asyncio.Event()
    released.set()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    say(f"listening {server.sockets[0].getsockname()[1]}")
    async with server:
        await commands()


asyncio.run(main())
