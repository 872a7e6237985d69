"""docker-py (Debian's python3-docker) smoke steps against berthd.

Driven by docker-py.test.ts. Environment: DOCKER_HOST (unix://...), BUSYBOX_TAR (a docker save
archive of busybox:latest), REGISTRY (127.0.0.1:<port>, plain HTTP), TAG (unique suffix).
Prints one line per step, `PASS <step>` or `FAIL <step>: <error>`, and exits 1 if any failed.
"""

import os
import socket
import sys
import time
import traceback

import docker
from docker.errors import ContainerError, ImageNotFound, NotFound

TAG = os.environ["TAG"]
REGISTRY = os.environ["REGISTRY"]
REPO = f"{REGISTRY}/pysmoke-{TAG}/busybox"
IMAGE = f"{REPO}:1"

client = docker.from_env(timeout=60)
steps = []


def step(function):
    steps.append(function)
    return function


def eventually(check, what, attempts=100):
    for _ in range(attempts):
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never true: {what}")


@step
def negotiates_the_api_version():
    # docker-py's default: a fixed version up to 5.x (DEFAULT_DOCKER_API_VERSION, 1.41 in
    # Debian 12's 5.0.3), "auto" since 6.0 (GET /version, then its ApiVersion in every path).
    default = client.api.api_version
    assert default in ("1.47", docker.constants.DEFAULT_DOCKER_API_VERSION), default
    assert client.ping() is True
    assert client.version()["ApiVersion"] == "1.47"
    assert isinstance(client.containers.list(all=True), list)
    negotiated = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], version="auto")
    assert negotiated.api.api_version == "1.47", negotiated.api.api_version
    negotiated.close()
    # An older pinned version is served too (paths /v1.41/...).
    pinned = docker.DockerClient(base_url=os.environ["DOCKER_HOST"], version="1.41")
    assert pinned.api.api_version == "1.41"
    assert isinstance(pinned.containers.list(all=True), list)
    pinned.close()
    # Too new: docker's wording in a 400.
    too_new = docker.APIClient(base_url=os.environ["DOCKER_HOST"], version="1.99")
    try:
        too_new.containers(all=True)
        raise AssertionError("v1.99 was served")
    except docker.errors.APIError as err:
        assert err.status_code == 400, err.status_code
        assert "client version 1.99 is too new" in str(err.explanation), err.explanation
    too_new.close()


@step
def loads_pushes_and_pulls():
    with open(os.environ["BUSYBOX_TAR"], "rb") as archive:
        loaded = client.images.load(archive.read())
    assert any("busybox:latest" in image.tags for image in loaded), [i.tags for i in loaded]
    busybox = client.images.get("busybox:latest")
    assert busybox.tag(REPO, "1")
    progress = list(client.images.push(REPO, tag="1", stream=True, decode=True))
    assert not any("error" in p for p in progress), progress
    assert any("Digest" in p.get("aux", {}) for p in progress), progress
    client.images.remove(IMAGE)
    try:
        client.images.get(IMAGE)
        raise AssertionError("the pushed tag is still here")
    except ImageNotFound:
        pass
    pulled = client.images.pull(REPO, tag="1")
    assert IMAGE in pulled.tags, pulled.tags
    assert pulled.id == busybox.id, (pulled.id, busybox.id)
    assert pulled.id in [i.id for i in client.images.list(name=REPO)]


@step
def runs_waits_and_reads_logs_apart():
    container = client.containers.run(IMAGE, ["sh", "-c", "echo to stdout; echo to stderr >&2; exit 3"],
                                      detach=True, name=f"pysmoke-run-{TAG}", labels={"pysmoke": TAG})
    try:
        assert container.wait(timeout=30)["StatusCode"] == 3
        assert container.logs(stdout=True, stderr=False) == b"to stdout\n"
        assert container.logs(stdout=False, stderr=True) == b"to stderr\n"
        assert container.logs() == b"to stdout\nto stderr\n" or container.logs() == b"to stderr\nto stdout\n"
        container.reload()
        assert container.status == "exited", container.status
        assert container.attrs["State"]["ExitCode"] == 3
        assert container.name == f"pysmoke-run-{TAG}"
        listed = client.containers.list(all=True, filters={"label": f"pysmoke={TAG}"})
        assert [c.id for c in listed] == [container.id], listed
    finally:
        container.remove(force=True)
    # Attached run: the output comes back; a failure raises ContainerError with stderr.
    assert client.containers.run(IMAGE, ["echo", "attached run"], remove=True) == b"attached run\n"
    try:
        client.containers.run(IMAGE, ["sh", "-c", "echo broken >&2; exit 2"], remove=True)
        raise AssertionError("a failing run did not raise")
    except ContainerError as err:
        assert err.exit_status == 2, err.exit_status
        assert b"broken" in err.stderr, err.stderr


@step
def execs_with_exit_codes():
    container = client.containers.run(IMAGE, ["sleep", "1000"], detach=True, name=f"pysmoke-exec-{TAG}")
    try:
        result = container.exec_run(["sh", "-c", "echo exec out; echo exec err >&2; exit 5"], demux=True)
        assert result.exit_code == 5, result
        assert result.output == (b"exec out\n", b"exec err\n"), result.output
        plain = container.exec_run(["echo", "plain"])
        assert plain == (0, b"plain\n"), plain
        # A detached exec: its code is read from inspect.
        created = client.api.exec_create(container.id, ["sh", "-c", "exit 6"])
        client.api.exec_start(created["Id"], detach=True)
        inspected = eventually(lambda: (lambda i: i if not i["Running"] else None)(client.api.exec_inspect(created["Id"])),
                               "the detached exec ended")
        assert inspected["ExitCode"] == 6, inspected
    finally:
        container.remove(force=True)


@step
def feeds_stdin_through_a_stdin_only_attach_socket():
    # attach_socket with stdin only (no output streams): it stays open until stdin is shut.
    container = client.containers.create(IMAGE, ["cat"], stdin_open=True, name=f"pysmoke-stdin-{TAG}")
    try:
        container.start()
        sock = client.api.attach_socket(container.id, params={"stdin": 1, "stream": 1})
        raw = sock._sock
        raw.sendall(b"through the socket\n")
        eventually(lambda: container.logs() == b"through the socket\n", "stdin reached cat")
        raw.sendall(b"and more\n")
        eventually(lambda: container.logs() == b"through the socket\nand more\n", "the attach stayed open")
        raw.shutdown(socket.SHUT_WR)
        assert raw.recv(1) == b"", "the daemon ended the attach after stdin ended"
        sock.close()
        # docker-py sets StdinOnce with stdin_open: the end of this stdin is the end of cat's.
        assert container.wait(timeout=30)["StatusCode"] == 0
    finally:
        container.remove(force=True)


@step
def creates_connects_and_removes_networks():
    network = client.networks.create(f"pysmoke-net-{TAG}", driver="bridge", labels={"pysmoke": TAG})
    container = client.containers.run(IMAGE, ["sleep", "1000"], detach=True, name=f"pysmoke-netc-{TAG}")
    try:
        network.connect(container, aliases=["pysmoke-alias"])
        network.reload()
        assert [c.id for c in network.containers] == [container.id], network.containers
        container.reload()
        endpoint = container.attrs["NetworkSettings"]["Networks"][f"pysmoke-net-{TAG}"]
        assert "pysmoke-alias" in (endpoint.get("Aliases") or []), endpoint
        assert [n.id for n in client.networks.list(filters={"label": f"pysmoke={TAG}"})] == [network.id]
        network.disconnect(container, force=True)
        network.reload()
        assert network.containers == [], network.containers
    finally:
        container.remove(force=True)
    network.remove()
    try:
        client.networks.get(network.id)
        raise AssertionError("the network is still here")
    except NotFound:
        pass


@step
def creates_lists_and_removes_volumes():
    volume = client.volumes.create(name=f"pysmoke-vol-{TAG}", driver="local", labels={"pysmoke": TAG})
    assert volume.name == f"pysmoke-vol-{TAG}"
    assert volume.attrs["Labels"] == {"pysmoke": TAG}, volume.attrs
    assert [v.name for v in client.volumes.list(filters={"label": f"pysmoke={TAG}"})] == [volume.name]
    volume.remove()
    assert client.volumes.list(filters={"label": f"pysmoke={TAG}"}) == []
    try:
        client.volumes.get(volume.name)
        raise AssertionError("the volume is still here")
    except NotFound:
        pass


@step
def streams_events_with_decode_and_until():
    # Unix seconds: docker-py 5 subtracts a naive epoch from datetimes (an aware one fails).
    since = int(time.time()) - 2
    container = client.containers.create(IMAGE, ["true"], name=f"pysmoke-events-{TAG}")
    live = client.events(decode=True, filters={"container": container.id, "event": "start"})
    try:
        container.start()
        event = next(live)
        assert event["Type"] == "container" and event["Action"] == "start", event
        assert event["id"] == container.id and event["status"] == "start", event
        assert event["Actor"]["Attributes"]["name"] == f"pysmoke-events-{TAG}", event
    finally:
        live.close()
    container.wait(timeout=30)
    # A bounded replay ends by itself.
    until = int(time.time()) + 1
    actions = [e["Action"] for e in client.events(since=since, until=until, decode=True,
                                                    filters={"container": container.id})]
    for action in ("create", "start", "die"):
        assert action in actions, actions
    container.remove()


failed = 0
for function in steps:
    try:
        function()
        print(f"PASS {function.__name__}", flush=True)
    except Exception as err:  # report every step, then fail as a whole
        failed += 1
        # One line per step, so the driver shows the whole traceback in its diff.
        detail = " | ".join(line for line in "".join(traceback.format_exception(err)).splitlines() if line.strip())
        print(f"FAIL {function.__name__}: {detail}", flush=True)
client.close()
sys.exit(1 if failed else 0)
