#!/usr/bin/env python3
"""python-example: an engine under test for flowconform, in standard-library Python.

Engine protocol 1 (docs/engine-protocol.md): JSON lines, requests on stdin, replies and
events on stdout, log on stderr. Ad-hoc runs only: `start-run` starts the run's process at
once, leading its own process group; that process starts each subflow as a child process
(recursively); `cancel-run` sends SIGTERM to the group, waits `graceMs`, then SIGKILL.

    python3 engine.py [--defect cancel-noop]   # the engine (the defect: cancel says ok, does nothing)
    python3 engine.py --worker '<plan>'        # one run's process; the engine starts these
"""
import json, os, signal, subprocess, sys, threading, time
from contextlib import suppress

NAME, VERSION, SCRIPT = 'python-example', '0.1.0', os.path.abspath(__file__)
CAPABILITIES = {'entities': ['run'], 'operations': ['start-run', 'cancel-run'], 'faults': [], 'clock': 'wall',
                'killStrategies': ['posix'], 'events': ['transition', 'process'], 'restart': False, 'bugs': []}
TERMINAL = {'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'}
DEFECTS = ['cancel-noop']


def log(message):
    print(f'{NAME}: {message}', file=sys.stderr, flush=True)


def ended(returncode):
    """Popen's returncode as {code, signal}: a negative one is the signal that ended the process."""
    return {'code': returncode} if returncode >= 0 else {'code': None, 'signal': signal.Signals(-returncode).name}


def live_processes():
    """pid -> process group of every live process, read from /proc (a zombie is dead)."""
    table = {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        with suppress(OSError, IndexError, ValueError):  # gone meanwhile
            with open(f'/proc/{pid}/stat') as stat:
                state, _ppid, group = stat.read().rsplit(')', 1)[1].split()[:3]
            if state not in 'ZX':
                table[int(pid)] = int(group)
    return table


def worker(plan):
    """A run's process: one child process per subflow, live durationMs, wait for the children, exit."""
    # A no-op handler, not SIG_IGN: exec resets handlers, so the children do not inherit it.
    signal.signal(signal.SIGTERM, (lambda *_: None) if plan.get('ignoreSigterm') else signal.SIG_DFL)

    def say(message):  # the whole tree writes to the engine's pipe; one write() per line keeps lines whole
        with suppress(OSError):  # the engine is gone: carry on as planned
            os.write(1, (json.dumps(message) + '\n').encode())

    def follow(child, owner):
        say({'type': 'exited', 'owner': owner, 'pid': child.pid, **ended(child.wait())})

    say({'type': 'started', 'owner': plan['owner'], 'parent': plan.get('parent'), 'pid': os.getpid(), 'parentPid': os.getppid()})
    followers = []
    for sub in plan.get('subflows', []):
        sub = {**sub, 'owner': f"{plan['owner']}.{sub['name']}", 'parent': plan['owner']}
        child = subprocess.Popen([sys.executable, SCRIPT, '--worker', json.dumps(sub)], stdin=subprocess.DEVNULL)
        followers.append(threading.Thread(target=follow, args=(child, sub['owner'])))
        followers[-1].start()
    time.sleep(plan.get('durationMs', 300) / 1000)
    for follower in followers:
        follower.join()
    return plan.get('exitCode', 0)


class Failure(Exception):
    """A definite error, `Failure(code, message)`: the operation did not happen."""


class Engine:
    def __init__(self, defect):
        self.defect, self.closing = defect, False
        self.lock = threading.RLock()  # guards the tables and keeps stdout lines whole and in order
        self.runs = {}                 # run id -> {id, parentId, state, runCount, pid, group}
        self.pids = {}                 # pid -> {pid, owner, parentPid}: the answer of `processes`
        self.groups = set()            # the process group of every root run
        self.bounds = {'graceMs': 800, 'killAttemptsMax': 3}

    def send(self, line):
        with self.lock, suppress(OSError):  # OSError: the harness is gone
            sys.stdout.write(json.dumps(line) + '\n')
            sys.stdout.flush()

    def event(self, kind, **fields):
        if not self.closing:
            self.send({'type': 'event', 'event': {'kind': kind, **fields}})

    def move(self, run, to, cause, **extra):
        before, run['state'] = run['state'], to
        run['runCount'] += 1 if to == 'RUNNING' else 0
        attributes = {'deploymentId': None, 'runCount': run['runCount'], 'autoScheduled': False,  # what a Prefect run carries
                      'scheduledStartMs': 0, 'slotMs': None, 'retries': 0}
        self.event('transition', entity='run', id=run['id'], parentId=run['parentId'], **{'from': before}, to=to, cause=cause,
                   attributes=attributes, **extra)

    def create(self, run_id, parent_id, cause, pid=None):
        run = self.runs[run_id] = {'id': run_id, 'parentId': parent_id, 'state': None, 'runCount': 0, 'pid': pid, 'group': None}
        self.move(run, 'PENDING', cause)
        return run

    def spawned(self, pid, parent_pid, owner):
        self.pids[pid] = {'pid': pid, 'owner': owner, 'parentPid': parent_pid}
        self.event('process', action='spawn', **self.pids[pid])

    def descendants(self, run_id):
        children = [run for run in self.runs.values() if run['parentId'] == run_id]
        return children + [below for child in children for below in self.descendants(child['id'])]

    def handle(self, line):
        """Answer one request line, exactly once; returns its op."""
        try:
            request = json.loads(line)
            rid, op, args = request['id'], request['op'], request.get('args') or {}
        except (ValueError, KeyError, TypeError):
            return log(f'ignoring a line that is not a request: {line[:200]!r}')
        operations = {
            'hello': lambda _: {'name': NAME, 'version': VERSION, 'protocol': 1, 'capabilities': CAPABILITIES},
            'setup': self.setup, 'start-run': self.start_run, 'cancel-run': self.cancel_run,
            'query': lambda _: {'entities': [{'entity': 'run', 'id': run['id'], 'parentId': run['parentId'], 'state': run['state']}
                                             for run in self.runs.values()]},
            'processes': lambda _: {'processes': list(self.pids.values())},
            'shutdown': lambda _: self.close() or {},
        }
        try:
            if op not in operations:
                raise Failure('not-supported', f'{NAME} does not support {op}')
            with self.lock:
                self.send({'type': 'reply', 'inReplyTo': rid, 'ok': True, 'result': operations[op](args)})
        except Failure as failure:
            code, message = failure.args
            self.send({'type': 'reply', 'inReplyTo': rid, 'ok': False, 'error': {'code': code, 'message': message, 'definite': True}})
        except Exception as error:  # a bug of ours: whether it took effect is not known
            log(f'{op} failed: {error!r}')
            self.send({'type': 'reply', 'inReplyTo': rid, 'ok': False, 'error': {'code': 'internal', 'message': repr(error), 'definite': False}})
        return op

    def setup(self, args):
        if args.get('platform') != 'posix' or args.get('bug') is not None:
            raise Failure('invalid-arguments', f'posix only, and no bug profiles (the defect is a switch: --defect {DEFECTS[0]})')
        self.bounds.update(args.get('bounds') or {})
        return {}

    def start_run(self, args):
        run_id = args.get('run')
        if args.get('deployment') is not None:
            raise Failure('not-supported', f'{NAME} has no deployments')
        if not isinstance(run_id, str) or not run_id or run_id in self.runs:
            raise Failure('already-exists' if run_id in self.runs else 'invalid-arguments', f'run {run_id!r}: needs a new run id')
        run = self.create(run_id, None, 'execute')
        plan = {key: args[key] for key in ('durationMs', 'exitCode', 'ignoreSigterm', 'subflows') if key in args}
        try:  # start_new_session (setsid): the process leads a new process group, so one signal reaches its tree
            process = subprocess.Popen([sys.executable, SCRIPT, '--worker', json.dumps({**plan, 'owner': run_id})],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, start_new_session=True)
        except OSError as error:
            self.move(run, 'CRASHED', 'spawn-failed', detail=str(error))
            return {'state': 'CRASHED'}
        run['pid'] = run['group'] = process.pid
        self.groups.add(process.pid)
        self.spawned(process.pid, os.getpid(), run_id)
        reader = threading.Thread(target=self.read_tree, args=(process,), daemon=True)
        reader.start()
        threading.Thread(target=self.wait_root, args=(process, run, reader), daemon=True).start()
        return {'state': 'PENDING'}

    def cancel_run(self, args):
        run = self.runs.get(args.get('run'))
        if run is None or run['state'] in TERMINAL:
            raise Failure('not-found', f"no run {args.get('run')}") if run is None else Failure('conflict', f"run {run['id']} is {run['state']}")
        if self.defect == 'cancel-noop' or run['state'] == 'CANCELLING':
            return {'state': run['state']}  # --defect cancel-noop: answers ok, changes nothing, kills nothing
        self.move(run, 'CANCELLING', 'cancel')
        for sub in self.descendants(run['id']):
            if sub['state'] not in TERMINAL | {'CANCELLING'}:
                self.move(sub, 'CANCELLING', 'parent-cancelling')
        threading.Thread(target=self.kill_tree, args=(run,), daemon=True).start()  # the request loop goes on
        return {'state': 'CANCELLING'}

    def read_tree(self, process):
        """The lines of a root run's tree: every worker under it writes to this one pipe."""
        for message in map(json.loads, process.stdout):
            with self.lock:
                run = self.runs.get(message['owner'])
                if message['type'] == 'exited' and run is not None:
                    self.exited(run, message['pid'], None, message)
                elif message['type'] == 'started' and message['parent'] is None:  # the root run's own process
                    if run['state'] == 'PENDING':
                        self.move(run, 'RUNNING', 'process-started')
                elif message['type'] == 'started':
                    self.spawned(message['pid'], message['parentPid'], message['owner'])
                    run = self.create(message['owner'], message['parent'], 'subflow-started', message['pid'])
                    parent = self.runs[message['parent']]  # known: its "started" line came first, on this pipe
                    if parent['state'] not in ('CANCELLING', 'CANCELLED'):
                        self.move(run, 'RUNNING', 'process-started')
                        continue
                    self.move(run, 'CANCELLING', 'parent-cancelling')
                    if parent['state'] == 'CANCELLED':  # its line came after the parent's cancel had finished
                        threading.Thread(target=self.kill_tree, args=(run,), daemon=True).start()

    def wait_root(self, process, run, reader):
        how = ended(process.wait())
        reader.join(timeout=1)  # the tree's last lines ("started" above all) come before the exit
        with self.lock:
            self.exited(run, process.pid, os.getpid(), how)

    def exited(self, run, pid, parent_pid, how):
        """A run's process ended; unless a cancel is under way (it settles the run), the state says how."""
        self.event('process', action='exit', pid=pid, parentPid=parent_pid, owner=run['id'], code=how['code'],
                   **({'signal': how['signal']} if how.get('signal') else {}))
        if run['state'] in TERMINAL | {'CANCELLING'}:
            return
        if how.get('signal'):
            self.move(run, 'CRASHED', 'process-killed', signal=how['signal'])
        elif run['state'] != 'RUNNING':
            self.move(run, 'CRASHED', 'process-exited', detail=f"exit code {how['code']} before it started")
        else:
            self.move(run, 'COMPLETED' if how['code'] == 0 else 'FAILED', 'process-exited', detail=f"exit code {how['code']}")

    def tree_alive(self, run):
        """Live pids of a run's tree: its process group for a root run, else its own and its subflows' pids."""
        with self.lock:
            pids = {r['pid'] for r in [run, *self.descendants(run['id'])]}
        return [pid for pid, group in live_processes().items() if pid in pids or group == run['group']]

    def signal_tree(self, run, sig):
        for target in [-run['group']] if run['group'] else self.tree_alive(run):  # kill(-group) signals the whole group
            with suppress(ProcessLookupError):  # gone already
                os.kill(target, sig)
                self.event('process', action='signal', pid=abs(target), parentPid=None, owner=run['id'], signal=sig.name)

    def dead_within(self, run, seconds):
        deadline = time.monotonic() + seconds
        while self.tree_alive(run) and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.tree_alive(run)

    def kill_tree(self, run):
        """SIGTERM, up to graceMs, SIGKILL (at most killAttemptsMax times); then CANCELLED, subflows first."""
        self.signal_tree(run, signal.SIGTERM)
        attempts = 0
        while not self.dead_within(run, 2 if attempts else self.bounds['graceMs'] / 1000):
            if attempts:  # a SIGKILL that did not end the tree within 2 s
                self.event('process', action='kill-failed', pid=run['pid'], parentPid=None, owner=run['id'], error='alive 2 s after SIGKILL')
            if attempts == self.bounds['killAttemptsMax']:
                return log(f"giving up on cancelling run {run['id']}: alive after {attempts} SIGKILLs: {self.tree_alive(run)}")
            attempts += 1
            self.signal_tree(run, signal.SIGKILL)
        with self.lock:
            for sub in self.descendants(run['id']):
                if sub['state'] not in TERMINAL:
                    if sub['state'] != 'CANCELLING':
                        self.move(sub, 'CANCELLING', 'parent-cancelling')
                    self.move(sub, 'CANCELLED', 'parent-cancelled')
            if run['state'] == 'CANCELLING':
                self.move(run, 'CANCELLED', 'process-tree-killed')

    def close(self):
        """SIGKILL every process group this engine started (workers never leave their root's group), and wait."""
        self.closing, deadline = True, time.monotonic() + 2
        while (alive := {group for group in live_processes().values() if group in self.groups}) and time.monotonic() < deadline:
            for group in alive:
                with suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
            time.sleep(0.02)
        if alive:
            log(f'process groups {sorted(alive)} outlived shutdown')


def main(argv):
    if argv[:1] == ['--worker'] and len(argv) == 2:
        return worker(json.loads(argv[1]))
    if argv and argv not in [['--defect', defect] for defect in DEFECTS]:
        return log(f"usage: engine.py [--defect {'|'.join(DEFECTS)}]") or 2
    engine = Engine(argv[1] if argv else None)
    for signum, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
        signal.signal(signum, lambda *_, code=code: (engine.close(), os._exit(code)))
    while line := sys.stdin.readline():
        if line.strip() and engine.handle(line) == 'shutdown':
            break
    engine.close()  # answered shutdown, or stdin closed: the harness is gone
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
