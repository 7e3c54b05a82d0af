"""The embedded warehouse keeps its port across a crash: a killed server's connections linger in TIME_WAIT on it,
which PostgreSQL (binding with SO_REUSEADDR) ignores, so the port probe must ignore them too."""

import socket

from sme_credit_dev import local_warehouse


def test_a_port_whose_server_was_killed_with_connections_open_counts_as_free():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first, as a killed backend does: its end stays in TIME_WAIT
    server.close()
    client.close()

    assert local_warehouse._port_is_free(port)


def test_a_port_with_a_listener_is_taken():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL's own listener
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not local_warehouse._port_is_free(listener.getsockname()[1])
