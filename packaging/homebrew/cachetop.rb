# cachetop.rb — Homebrew formula (Linux only: cachetop watches files with inotify). Until a
# release tarball exists it builds the git checkout it sits in:
#   brew install --formula ./packaging/homebrew/cachetop.rb
# (add `homepage`, a release `url` and its `sha256` once the project publishes them).
class Cachetop < Formula
  desc "Live terminal dashboard for the prompt cache of coding agents"
  url "file://#{File.expand_path("../..", __dir__)}", using: :git, branch: "main"
  version "0.1.0"
  license "MIT"

  depends_on "cmake" => :build
  depends_on "pkgconf" => :build
  depends_on "uthash" => :build
  depends_on "inotify-tools"
  depends_on "json-c"
  depends_on "libyaml"
  depends_on :linux
  depends_on "ncurses"
  depends_on "sqlite"

  def install
    system "cmake", "-S", ".", "-B", "build",
                    "-DCACHETOP_TESTS=OFF",
                    "-DCACHETOP_WERROR=OFF",
                    "-DCACHETOP_STATIC_DEPS=OFF",
                    "-DCACHETOP_BASH_COMPLETION_DIR=#{bash_completion.relative_path_from(prefix)}",
                    "-DCACHETOP_ZSH_COMPLETION_DIR=#{zsh_completion.relative_path_from(prefix)}",
                    *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/cachetop --version")
    (testpath/"claude/projects").mkpath
    (testpath/"codex/sessions").mkpath
    system bin/"cachetop", "report", "--claude-dir", testpath/"claude", "--codex-dir", testpath/"codex"
    assert_match "# EOF", shell_output("#{bin}/cachetop report --openmetrics " \
                                       "--claude-dir #{testpath}/claude --codex-dir #{testpath}/codex")
  end
end
