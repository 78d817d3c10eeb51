"""`liaison exchange …`: this node's identity, partner nodes, files carried by hand, push and pull.

liaison exchange identity                       name, public key, fingerprint (hex and words)
liaison exchange peer-add NAME --country LA --unit CODE --key B64 [--url URL]
liaison exchange peer-rotate NAME --key B64 [--overlap-days N]
liaison exchange peer-revoke NAME
liaison exchange peers                          peers, keys, sequences and gaps
liaison exchange export NAME FILE [--all]       undelivered envelopes for NAME, one per line
liaison exchange import FILE                    receive every envelope in FILE (exactly once)
liaison exchange push                           push the due outbox now
liaison exchange pull NAME                      fetch what NAME holds for this node
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.core.errors import DomainError
from liaison.exchange import envelope as envl
from liaison.exchange import selectors, services, tasks
from liaison.exchange.models import Peer
from liaison.org.actor import Actor
from liaison.org.models import Unit


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("identity")
        a = sub.add_parser("peer-add")
        a.add_argument("name")
        a.add_argument("--country", required=True)
        a.add_argument("--unit", required=True)
        a.add_argument("--key", required=True)
        a.add_argument("--url", default="")
        r = sub.add_parser("peer-rotate")
        r.add_argument("name")
        r.add_argument("--key", required=True)
        r.add_argument("--overlap-days", type=int, default=None)
        v = sub.add_parser("peer-revoke")
        v.add_argument("name")
        sub.add_parser("peers")
        e = sub.add_parser("export")
        e.add_argument("name")
        e.add_argument("file")
        e.add_argument("--all", action="store_true")
        i = sub.add_parser("import")
        i.add_argument("file")
        sub.add_parser("push")
        p = sub.add_parser("pull")
        p.add_argument("name")

    def handle(self, *args, action, **o):
        actor = Actor(user=None, membership=None, via="system")
        try:
            getattr(self, "do_" + action.replace("-", "_"))(actor, o)
        except DomainError as e:
            raise CommandError(f"{e}: {[(x.field, x.message) for x in e.errors]}") from e

    def _peer(self, name) -> Peer:
        peer = Peer.objects.filter(name=name).first()
        if peer is None:
            raise CommandError(f"no partner node named {name}")
        return peer

    def do_identity(self, actor, o):
        me = services.node_identity()
        for k in ("name", "public_key", "fingerprint_hex", "fingerprint_words"):
            self.stdout.write(f"{k}: {me[k]}")

    def do_peer_add(self, actor, o):
        known = Peer.objects.filter(name=o["name"]).first()
        if known is not None:  # re-runnable (scripts/demo-partner): the same key is no change
            if known.keys.filter(public_key=o["key"].strip(), revoked_at__isnull=True).exists():
                self.stdout.write(f"{known.name} is already registered with this key")
                return
            raise CommandError(f"{known.name} is registered with another key: use peer-rotate")
        unit = Unit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit {o['unit']}")
        peer = services.peer_register(
            actor, name=o["name"], country=o["country"], base_url=o["url"], public_key=o["key"], unit=unit
        )
        fp = peer.keys.get().fingerprint
        self.stdout.write(
            f"registered {peer.name}: {envl.fingerprint_groups(fp)} / {envl.fingerprint_words(fp)}"
        )

    def do_peer_rotate(self, actor, o):
        key = services.peer_key_rotate(
            actor, peer=self._peer(o["name"]), public_key=o["key"], overlap_days=o["overlap_days"]
        )
        self.stdout.write(f"new key {envl.fingerprint_groups(key.fingerprint)}")

    def do_peer_revoke(self, actor, o):
        services.peer_revoke(actor, peer=self._peer(o["name"]))
        self.stdout.write(f"revoked {o['name']}")

    def do_peers(self, actor, o):
        for row in selectors.peer_overview(actor):
            self.stdout.write(
                f"{row['name']} {row['country']} {row['state']} out={row['out_seq']} "
                f"undelivered={row['undelivered']} in={row['in_applied']} gaps={row['gaps']}"
            )

    def do_export(self, actor, o):
        lines = services.envelopes_export(actor, peer=self._peer(o["name"]), undelivered_only=not o["all"])
        Path(o["file"]).write_text("".join(w + "\n" for w in lines), encoding="utf-8")
        self.stdout.write(f"{len(lines)} envelope(s) written to {o['file']}")

    def do_import(self, actor, o):
        counts: dict[str, int] = {}
        for line in Path(o["file"]).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                status = services.envelope_receive(line, via="file")["status"]
            except envl.EnvelopeError as e:
                status = f"refused ({e.reason})"
            counts[status] = counts.get(status, 0) + 1
        self.stdout.write(", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing to import")

    def do_push(self, actor, o):
        self.stdout.write(tasks.push_due() or "nothing due")

    def do_pull(self, actor, o):
        peer = self._peer(o["name"])
        r = tasks.signed_get(peer, "/exchange/outbox/", "pull", after=selectors.pulled_high(peer))
        if r.status_code != 200:
            raise CommandError(f"pull refused: HTTP {r.status_code}")
        counts: dict[str, int] = {}
        for line in r.text.splitlines():
            try:
                status = services.envelope_receive(line, via="pull")["status"]
            except envl.EnvelopeError as e:
                status = f"refused ({e.reason})"
            counts[status] = counts.get(status, 0) + 1
        self.stdout.write(", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing new")
