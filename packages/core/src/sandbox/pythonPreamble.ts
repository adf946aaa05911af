/**
 * The Python preamble and the command line that runs it: how a sandboxed interpreter is started, which
 * arguments parameterise the preamble, and the environment it gets.
 * @internal
 */

/** Tasks (processes and threads) a run may add beyond those its uid already has. */
const EXTRA_TASKS = 32;
const FILE_SIZE_BYTES = 16 * 1024 * 1024;
const THREAD_CAPS = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } as const;

/**
 * -I: ignore PYTHON* env vars and the user site; -S: skip site.py so `.pth` import lines never run (the
 * preamble adds site-packages itself); UTF-8 mode for host-independent I/O.
 * @internal
 */
export const INTERPRETER_FLAGS = ['-I', '-S', '-X', 'utf8'] as const;

/** What one sandboxed run of the preamble needs to know. @internal */
export interface PreambleCommandOptions {
  /** Isolation command prefix placed before the interpreter. */
  readonly wrapper: readonly string[];
  /** Absolute path of the interpreter. */
  readonly interpreter: string;
  /** Run directory holding `solution.py`; the only place the program may write. */
  readonly runDir: string;
  /** RLIMIT_AS of the interpreter, in MiB. */
  readonly memoryMb: number;
}

/**
 * Builds the argv that runs `solution.py` in `runDir` through the preamble:
 * `<wrapper> <python> -I -S -X utf8 -c PREAMBLE <runDir> <AS bytes> <extra tasks> <FSIZE bytes>`.
 * @internal
 */
export function preambleCommand(options: PreambleCommandOptions): string[] {
  return [
    ...options.wrapper,
    options.interpreter,
    ...INTERPRETER_FLAGS,
    '-c',
    PYTHON_PREAMBLE,
    options.runDir,
    String(Math.floor(options.memoryMb * 1024 * 1024)),
    String(EXTRA_TASKS),
    String(FILE_SIZE_BYTES),
  ];
}

/** The whole environment of a sandboxed interpreter (and of an isolation probe). @internal */
export function sandboxEnv(runDir: string): Record<string, string> {
  // Nothing of the host leaks in. TMPDIR keeps `tempfile` inside the run directory; the thread caps keep
  // BLAS pools from eating the task budget (RLIMIT_NPROC counts threads) and the address-space limit.
  return { TMPDIR: runDir, ...THREAD_CAPS };
}

/**
 * Runs before the program, inside the interpreter: site-packages without `.pth` code, rlimits, write and
 * network guards, then the program as `__main__` from `<solution>`. The guards are Python-level and a
 * determined program can get around them (ctypes, `_io`, subprocesses); the OS layer (uid, namespaces,
 * rlimits, process-group kill) is what actually contains it. argv: run dir, RLIMIT_AS bytes, extra tasks,
 * RLIMIT_FSIZE bytes.
 */
const PYTHON_PREAMBLE = String.raw`
import sys, os

def _flowsteer_prepare():
    import builtins, io, resource, site, types
    run_dir = os.path.realpath(sys.argv[1])
    mem_bytes, extra_tasks, file_bytes = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sys.dont_write_bytecode = True
    site.setquit()
    for d in site.getsitepackages():
        if d in sys.path or not os.path.isdir(d):
            continue
        sys.path.append(d)
        for name in sorted(n for n in os.listdir(d) if n.endswith('.pth')):
            try:
                with io.open(os.path.join(d, name), encoding='utf-8') as f:
                    for line in f:
                        line = line.strip()
                        if line and not line.startswith(('#', 'import ', 'import\t')):
                            p = os.path.join(d, line)
                            if os.path.isdir(p) and p not in sys.path:
                                sys.path.append(p)
            except (OSError, UnicodeError):
                pass

    def cap(res, n):
        soft, hard = resource.getrlimit(res)
        if hard != resource.RLIM_INFINITY and n > hard:
            n = hard
        try:
            resource.setrlimit(res, (n, n))
        except (ValueError, OSError):
            pass

    def tasks_of(uid):
        total = 0
        try:
            pids = [p for p in os.listdir('/proc') if p.isdigit()]
        except OSError:
            return None
        for p in pids:
            try:
                with io.open('/proc/' + p + '/status', 'rb') as f:
                    status = f.read()
                if int(status.split(b'\nUid:', 1)[1].split(None, 1)[0]) == uid:
                    total += int(status.split(b'\nThreads:', 1)[1].split(None, 1)[0])
            except (OSError, IndexError, ValueError):
                pass
        return total

    cap(resource.RLIMIT_AS, mem_bytes)
    cap(resource.RLIMIT_FSIZE, file_bytes)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_NOFILE, 256)
    # RLIMIT_NPROC counts every task of the real uid machine-wide, so the budget is relative to what exists.
    existing = tasks_of(os.getuid())
    if existing is not None:
        cap(resource.RLIMIT_NPROC, existing + extra_tasks)

    src_path = os.path.join(run_dir, 'solution.py')
    with io.open(src_path, encoding='utf-8') as f:
        src = f.read()
    os.remove(src_path)

    def denied(path):
        raise PermissionError(13, 'sandbox: writing outside the working directory is not allowed', str(path))

    devices = ('/dev/null', '/dev/stdout', '/dev/stderr')

    def inside(path, dir_fd=None, follow=True):
        if isinstance(path, int):
            return True
        try:
            p = os.fsdecode(os.fspath(path))
        except TypeError:
            return True
        if dir_fd is not None and not os.path.isabs(p):
            p = os.path.join(os.readlink('/proc/self/fd/%d' % dir_fd), p)
        p = os.path.abspath(p)
        if p in devices:
            return True
        r = os.path.realpath(p) if follow else os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))
        return r == run_dir or r.startswith(run_dir + os.sep)

    real_open = io.open

    def guarded_open(file, mode='r', *args, **kwargs):
        if isinstance(mode, str) and any(c in mode for c in 'wax+') and not inside(file):
            denied(file)
        return real_open(file, mode, *args, **kwargs)

    builtins.open = io.open = guarded_open
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    real_os_open = os.open

    def guarded_os_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & writes and not inside(path, dir_fd):
            denied(path)
        return real_os_open(path, flags, mode, dir_fd=dir_fd)

    os.open = guarded_os_open
    if real_os_open in os.supports_dir_fd:
        os.supports_dir_fd.add(guarded_os_open)

    def guard(name, checks):
        real = getattr(os, name, None)
        if real is None:
            return

        def guarded(*args, **kwargs):
            for index, arg, fd_arg, follow in checks:
                target = args[index] if len(args) > index else kwargs.get(arg)
                if target is not None and not inside(target, kwargs.get(fd_arg), follow):
                    denied(target)
            return real(*args, **kwargs)

        guarded.__name__ = name
        setattr(os, name, guarded)
        for group in (os.supports_dir_fd, os.supports_fd, os.supports_follow_symlinks):
            if real in group:
                group.add(guarded)

    entry = [(0, 'path', 'dir_fd', False)]
    for name in ('mkdir', 'rmdir', 'remove', 'unlink', 'mkfifo', 'mknod'):
        guard(name, entry)
    for name in ('chmod', 'chown', 'truncate', 'utime'):
        guard(name, [(0, 'path', 'dir_fd', True)])
    for name in ('rename', 'replace'):
        guard(name, [(0, 'src', 'src_dir_fd', False), (1, 'dst', 'dst_dir_fd', False)])
    guard('link', [(1, 'dst', 'dst_dir_fd', False)])
    guard('symlink', [(1, 'dst', 'dir_fd', False)])

    def no_network(*args, **kwargs):
        raise PermissionError(1, 'sandbox: network access is disabled')

    def guarded_socket(base):
        class GuardedSocket(base):
            __slots__ = ()  # socket.py subclasses _socket.socket with its own __weakref__ slot

            # Wrapping an existing descriptor (socketpair, fromfd, accept) is allowed; opening a new one is not.
            def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
                if fileno is None:
                    no_network()
                base.__init__(self, family, type, proto, fileno)
        GuardedSocket.__name__ = GuardedSocket.__qualname__ = 'socket'
        return GuardedSocket

    def patch_socket(module):
        module.socket = guarded_socket(module.socket)
        module.create_connection = module.create_server = no_network

    def patch_raw_socket(module):
        module.socket = module.SocketType = guarded_socket(module.socket)

    patches = {'socket': patch_socket, '_socket': patch_raw_socket}

    class PatchingLoader:
        def __init__(self, real, patch):
            self.real, self.patch = real, patch

        def create_module(self, spec):
            return self.real.create_module(spec)

        def exec_module(self, module):
            self.real.exec_module(module)
            self.patch(module)

    class NetworkGuard:
        # Patches the socket modules as they are imported, so programs that never use them don't pay for importing them.
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in patches:
                return None
            for finder in sys.meta_path:
                if finder is NetworkGuard or not hasattr(finder, 'find_spec'):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    spec.loader = PatchingLoader(spec.loader, patches[name])
                    return spec
            return None

    for name, patch in patches.items():
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, NetworkGuard)

    main = types.ModuleType('__main__')
    main.__file__ = src_path
    main.__builtins__ = builtins
    sys.modules['__main__'] = main
    sys.argv = [src_path]
    return src, main

def _flowsteer_report(exc, src, main):
    if isinstance(exc, MemoryError):
        main.__dict__.clear()
    try:
        import linecache, traceback
        linecache.cache['<solution>'] = (len(src), None, src.splitlines(True), '<solution>')
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != '<solution>':
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
    except BaseException:
        os.write(2, (type(exc).__name__ + '\n').encode())

_flowsteer_src, _flowsteer_main = _flowsteer_prepare()
del _flowsteer_prepare
try:
    exec(compile(_flowsteer_src, '<solution>', 'exec', dont_inherit=True), _flowsteer_main.__dict__)
except SystemExit:
    raise
except BaseException as _flowsteer_exc:
    _flowsteer_report(_flowsteer_exc, _flowsteer_src, _flowsteer_main)
    sys.exit(1)
`;
