"""Drive one page with wrk and read back its figures."""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

RESULT_PREFIX = "BENCH_JSON "

# Each wrk thread runs its own copy of this script. Requests are formatted
# once; each thread walks the list from its own offset, so that requests
# that change data (an enrolment) are never sent twice.
LUA_TEMPLATE = """
local method = {method}
local origin = {origin}
local threads_total = {threads}
local items = {{
{items}
}}
local prepared = {{}}
local index = 0
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function init(args)
  for i, item in ipairs(items) do
    local headers = {{["X-Forwarded-Proto"] = "https"}}
    if item[3] ~= "" then headers["Cookie"] = item[3] end
    local body = nil
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      headers["Origin"] = origin
      headers["Referer"] = origin .. item[1]
      body = item[2]
    end
    prepared[i] = wrk.format(method, item[1], headers, body)
  end
  index = thread_id or 0
end

function request()
  local formatted = prepared[(index % #prepared) + 1]
  index = index + threads_total
  return formatted
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{prefix}{{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(value):
    text = json.dumps(value, ensure_ascii=True)
    if "\\u" in text:
        raise ValueError(f"not plain ASCII: {value!r}")
    return text


def lua_script(*, method, origin, threads, items):
    """Return the wrk script for requests given as (path, body, cookie)."""
    lines = ",\n".join(
        "  {" + ", ".join(_lua_string(part) for part in item) + "}" for item in items
    )
    return LUA_TEMPLATE.format(
        method=_lua_string(method),
        origin=_lua_string(origin),
        threads=threads,
        items=lines,
        prefix=RESULT_PREFIX,
    )


def parse(output):
    """Return the figures from wrk's output, or raise if there are none."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            return Figures(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                errors=sum(
                    data[key]
                    for key in ("connect", "read", "write", "status", "timeout")
                ),
                p50_ms=data["p50_us"] / 1000,
                p95_ms=data["p95_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
            )
    raise RuntimeError(f"wrk printed no figures:\n{output[-2000:]}")


def run_wrk(*, base_url, method, items, seconds, connections, threads, origin):
    """Run wrk against base_url with the given requests; return Figures."""
    threads = max(1, min(threads, connections))
    script = lua_script(method=method, origin=origin, threads=threads, items=items)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.lua"
        path.write_text(script, encoding="ascii")
        completed = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(path),
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return parse(completed.stdout)
