"""The install rules the Debian package is built from (issue 15; installer/): `cmake --install`
of the studio component into a fresh prefix gives both programs, a desktop entry whose MIME
type is the one the shared-mime-info file declares for *.ftproj, hicolor icons of the sizes
they claim, AppStream metainfo that appstreamcli accepts, and man pages generated from --help
that list every subcommand. The installed finetune-cli runs from the prefix. The .deb built from
the same rules and its install on a clean Debian root: scripts/test-package.sh."""
import configparser
import gzip
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BUILD = Path(os.environ.get("FT_BUILD_DIR", ""))
APP_ID = "org.finetunestudio.FineTuneStudio"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

pytestmark = pytest.mark.skipif(not (BUILD / "CMakeCache.txt").is_file(),
                                reason="FT_BUILD_DIR names no configured build")


def _cache_value(key):
    for line in (BUILD / "CMakeCache.txt").read_text().splitlines():
        if line.startswith(key + ":"):
            return line.split("=", 1)[1]
    return ""


@pytest.fixture(scope="module")
def prefix(work_dir):
    path = work_dir / "install_layout"
    shutil.rmtree(path, ignore_errors=True)
    done = subprocess.run(["cmake", "--install", str(BUILD), "--component", "studio",
                           "--prefix", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return path


def _gui_built():
    return _cache_value("FT_BUILD_GUI") in ("ON", "1", "TRUE")


def test_programs_run_from_the_prefix(prefix):
    cli = prefix / "bin" / "finetune-cli"
    assert os.access(cli, os.X_OK)
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True)
    project_version = re.search(r"project\(FineTuneStudio VERSION ([0-9.]+)",
                                (Path(__file__).parents[2] / "CMakeLists.txt").read_text()).group(1)
    assert version.stdout.strip() == project_version
    if _gui_built():
        assert os.access(prefix / "bin" / "finetune-studio", os.X_OK)


def test_desktop_entry_opens_projects(prefix):
    if not _gui_built():
        pytest.skip("built without the GUI")
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str
    entry.read(prefix / "share" / "applications" / f"{APP_ID}.desktop", encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Type"] == "Application"
    assert group["Exec"].split()[0] == "finetune-studio" and "%f" in group["Exec"].split()
    assert group["Icon"] == "finetune-studio"
    mime_types = [m for m in group["MimeType"].split(";") if m]
    # The MIME type the entry opens is the one declared for *.ftproj.
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(prefix / "share" / "mime" / "packages" / "finetune-studio.xml").getroot()
    declared = {t.get("type"): [g.get("pattern") for g in t.findall("m:glob", ns)]
                for t in mime.findall("m:mime-type", ns)}
    assert mime_types == list(declared)
    assert declared[mime_types[0]] == ["*.ftproj"]
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(prefix / "share" / "applications" /
                                                       f"{APP_ID}.desktop")], check=True)


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_icons_have_the_sizes_they_claim(prefix):
    if not _gui_built():
        pytest.skip("built without the GUI")
    hicolor = prefix / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        assert _png_size(hicolor / f"{size}x{size}" / "apps" / "finetune-studio.png") == (size, size)
    assert ET.parse(hicolor / "scalable" / "apps" / "finetune-studio.svg").getroot().tag.endswith("svg")


def test_metainfo_is_valid(prefix):
    if not _gui_built():
        pytest.skip("built without the GUI")
    metainfo = prefix / "share" / "metainfo" / f"{APP_ID}.metainfo.xml"
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert "@" not in metainfo.read_text()  # configured: no @PROJECT_VERSION@ left
    if not shutil.which("appstreamcli"):
        pytest.skip("appstreamcli is not installed (scripts/install-deps.sh installs it)")
    done = subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_man_page_lists_every_subcommand(prefix):
    page = gzip.decompress((prefix / "share" / "man" / "man1" / "finetune-cli.1.gz").read_bytes())
    text = page.decode("utf-8")
    assert text.startswith(".TH FINETUNE-CLI 1")
    help_text = subprocess.run([str(prefix / "bin" / "finetune-cli"), "--help"],
                               capture_output=True, text=True, check=True).stdout
    commands = re.findall(r"^  ([a-z][a-z0-9-]*)\s{2,}", help_text.split("Subcommands:")[1], re.M)
    assert len(commands) >= 10
    for command in commands:
        assert f".SS {command}\n" in text, command
    assert ".SS data import\n" in text  # nested subcommands too
    assert "/work/" not in text and str(BUILD) not in text  # no build paths
