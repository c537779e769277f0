"""Real Maven for the tests: pinned plugins, Maven Central for Spark, no offline mode.

Every build here resolves what it needs from Maven Central (and from a `file://` repository that
`nb2jvm publish` wrote) into a local repository, as a JVM team's build would: nothing may be
pre-installed there. It is the user's `~/.m2/repository` unless `NB2JVM_MAVEN_REPO_LOCAL` names
another (CI gives each run an empty one). Maven runs on the JDK nb2jvm chose (``find_jdk``), so the consumer is
compiled by the same Java that runs Spark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from transpiler.jvm import spark as jvm_mod

# The plugins of the default lifecycle up to `package`, and the dependency plugin, at versions
# that exist on Maven Central (Maven 3.8's own defaults are older and unpinned).
PLUGINS = {
    "maven-resources-plugin": "3.3.1",
    "maven-compiler-plugin": "3.13.0",
    "maven-surefire-plugin": "3.2.5",
    "maven-jar-plugin": "3.4.1",
    "maven-dependency-plugin": "3.8.1",
}
LOCAL_REPO = Path(os.environ.get("NB2JVM_MAVEN_REPO_LOCAL")
                  or Path.home() / ".m2" / "repository")
DEPENDENCY_PLUGIN = ("org.apache.maven.plugins:maven-dependency-plugin:"
                     + PLUGINS["maven-dependency-plugin"])


def plugins_xml(indent: str = "      ") -> str:
    """The `<plugin>` rows that pin every plugin a `package` build runs."""
    return "\n".join(f"{indent}<plugin><artifactId>{a}</artifactId><version>{v}</version></plugin>"
                     for a, v in PLUGINS.items())


def mvn(project: Path, *args: str, log: Path | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess:
    """Run Maven in batch mode (online: Central is reachable) on ``project``; the whole output
    goes to ``log`` as well. Fails the test at once when Maven is not installed."""
    exe = shutil.which("mvn")
    assert exe, ("Maven (mvn 3.8+) is needed for the Maven tests: `apt-get install maven` "
                 "or https://maven.apache.org/install.html")
    env = {**os.environ, "JAVA_HOME": str(jvm_mod.find_jdk().home)}
    out = subprocess.run([exe, "-B", f"-Dmaven.repo.local={LOCAL_REPO}", *args], cwd=project,
                         capture_output=True, text=True, env=env, timeout=timeout)
    if log is not None:
        log.write_text(out.stdout + out.stderr)
    return out
