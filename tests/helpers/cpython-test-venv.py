# Run CPython's own test_venv checks of pyvenv.cfg against `venv create`:
# EnvBuilder.create is replaced by a call of the venv binary with the options
# the builder holds (CPython's CLI spelling); everything else is CPython's.
import os, subprocess, sys, unittest, venv
from test import test_venv

VENV = os.environ['VENV_BIN']

def create(self, env_dir):
    args = [VENV, 'create', '-q', '-p', sys.executable]
    if not self.symlinks:
        args.append('--copies')
    # The test mocks pip's set-up and --upgrade-deps; a binary cannot be mocked,
    # so --upgrade-deps gets the bundled pip to upgrade (offline).
    if not self.with_pip and not self.upgrade_deps:
        args.append('--without-pip')
    for flag, on in (('--system-site-packages', self.system_site_packages),
                     ('--clear', self.clear), ('--upgrade', self.upgrade),
                     ('--upgrade-deps', self.upgrade_deps)):
        if on:
            args.append(flag)
    if self.orig_prompt is not None:
        args.append('--prompt=%s' % (self.orig_prompt,))
    if not getattr(self, 'scm_ignore_files', True):
        args.append('--without-scm-ignore-files')
    args.append(os.fspath(env_dir))
    subprocess.run(args, check=True)

venv.EnvBuilder.create = create
names = [n for n in dir(test_venv.BasicTest)
         if n.startswith('test_defaults_with_') or n == 'test_config_file_command_key']
suite = unittest.TestSuite(test_venv.BasicTest(n) for n in names)
result = unittest.TextTestRunner(verbosity=2).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
