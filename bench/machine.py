"""Where a benchmark ran: the machine description every bench/*/report.py
puts into its JSON, so that a result is never read without it."""
import datetime
import json
import os
import platform
import subprocess


def command(*argv):
    """The stripped stdout of argv, or "" if it cannot be run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def cpu_model():
    for line in command("lscpu").splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def disk(path):
    """The device, its filesystem and what lsblk says about the device."""
    df = command("df", "-P", "-T", path).splitlines()
    fields = df[1].split() if len(df) > 1 else ["?", "?"]
    dev, fstype = fields[0], fields[1]
    parts = [f"{dev} ({fstype})"]
    try:
        blk = json.loads(command("lsblk", "-J", "-nd", "-o",
                                 "MODEL,SIZE,ROTA,TRAN", dev))["blockdevices"][0]
        parts.append(str(blk.get("size") or ""))
        parts.append(f"model {blk.get('model') or 'not reported'}")
        parts.append(f"transport {blk.get('tran') or 'not reported'}")
        # Virtual disks often claim to rotate; this is only what the kernel says.
        parts.append(f"rota {int(bool(blk.get('rota')))}")
    except (ValueError, KeyError, IndexError):
        pass
    name = os.path.basename(dev)
    try:
        with open(f"/sys/block/{name}/queue/write_cache", encoding="ascii") as f:
            parts.append(f"write cache {f.read().strip()}")
    except OSError:
        pass
    return ", ".join(p for p in parts if p)


def machine(work):
    commit = command("git", "rev-parse", "--short", "HEAD")
    if commit and command("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " with uncommitted changes"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": int(command("nproc") or 0),
        "cpu": cpu_model(),
        "disk": disk(work),
        "kernel": platform.release(),
        "commit": commit,
    }
