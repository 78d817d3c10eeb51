from django.core.management.base import BaseCommand, CommandError

from liaison.audit.chainer import link_all, refused_ids
from liaison.audit.checkpoints import write_checkpoint
from liaison.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Verify the audit log and its checkpoints (exits non-zero naming every fault found), link the "
        "events appended since the chainer's last pass, or sign a checkpoint of its head now."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "link", "checkpoint"])
        parser.add_argument(
            "--witness",
            metavar="PEER",
            default="",
            help="also compare the local checkpoints with the copies the partner node PEER keeps",
        )

    def handle(self, *args, action, witness="", **opts):
        if action == "link":
            before = refused_ids()
            n = link_all()
            self.stdout.write(f"linked {n} event(s)")
            refused = sorted(refused_ids() - before)
            if refused:
                raise CommandError(
                    "refused to link altered event(s) id "
                    + ", ".join(map(str, refused))
                    + " (see `audit verify`)"
                )
            return
        if action == "checkpoint":
            cp = write_checkpoint(force=True)
            self.stdout.write(f"checkpoint #{cp.n} signed at event #{cp.seq} ({cp.hash[:16]}…)")
            return
        result = verify()
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
        if witness:
            faults, summary = compare_with_witness(witness)
            if faults:
                raise CommandError(summary)
            self.stdout.write(summary)


def compare_with_witness(peer: str) -> tuple[int, str]:
    """The local checkpoint file against the witness's copies: a copy that differs, or one the
    witness holds beyond the local file's end (a cut tail), is a fault."""
    import json

    from liaison.audit import hooks
    from liaison.audit.checkpoints import checkpoint_file

    answers = [a for a in hooks.witness_copies(peer=peer) if a is not None]
    if not answers:
        raise CommandError(f"no partner node named {peer} to witness")
    theirs = {}
    for line in answers[0]:
        try:
            theirs[int(json.loads(line)["n"])] = line
        except (ValueError, KeyError, TypeError):
            continue
    path = checkpoint_file()
    ours = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                ours[int(json.loads(line)["n"])] = line
            except (ValueError, KeyError, TypeError):
                continue
    faults = []
    for n, line in sorted(theirs.items()):
        if n not in ours:
            faults.append(f"checkpoint #{n} is kept by {peer} but missing here")
        elif ours[n].strip() != line.strip():
            faults.append(f"checkpoint #{n} differs from the copy {peer} keeps")
    if faults:
        return len(faults), "witness: " + "; ".join(faults)
    return 0, f"witness {peer}: {len(theirs)} checkpoint(s) kept there, all equal to ours (of {len(ours)})"
