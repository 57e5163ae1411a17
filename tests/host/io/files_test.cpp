// Bounded input reads and failure-atomic writes: what is refused (FIFOs
// without blocking, unreadable files, files larger than stated), that a
// failed write leaves the old file and no temporary and names the remedy for
// its cause, that a replaced file keeps its mode and its symbolic link, that
// a directory of tables changes whole or not at all, and that temporaries of
// dead processes are cleaned up while those of live ones are kept.
#include "host/io/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "host/scenario/input_error.hpp"

namespace scls {
namespace {

namespace fs = std::filesystem;

fs::path fresh_directory(const std::string& name)
{
    const fs::path directory = fs::path(testing::TempDir()) / name;
    fs::remove_all(directory);
    fs::create_directories(directory);
    return directory;
}

std::string contents(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string refusal(const fs::path& path, std::uintmax_t limit = kMaxInputFileBytes)
{
    try {
        read_input_file(path, "scenario file", limit);
    } catch (const InputError& e) {
        EXPECT_EQ(e.issues().front().file, path.string());
        return e.issues().front().message;
    }
    return "";
}

bool partials_in(const fs::path& directory)
{
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.path().filename().string().find(".partial-") != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(InputFiles, OnlyRegularFilesOfBoundedSizeAreRead)
{
    const fs::path directory = fresh_directory("inputs");
    EXPECT_NE(refusal(directory / "missing.toml").find("no such file"), std::string::npos);
    EXPECT_NE(refusal(directory).find("is a directory"), std::string::npos);
    EXPECT_NE(refusal("/dev/zero").find("not a regular file"), std::string::npos);
    EXPECT_NE(refusal("/dev/null").find("not a regular file"), std::string::npos);
    const fs::path big = directory / "big.toml";
    std::ofstream(big) << std::string(2000, 'x');
    EXPECT_NE(refusal(big, 1000).find("is 2.0 KiB, over the 1000 bytes limit"), std::string::npos) << refusal(big, 1000);
    EXPECT_EQ(read_input_file(big, "scenario file", 4000), std::string(2000, 'x'));
}

TEST(InputFiles, SizesOverTheLimitAreShownWithOneDecimal)
{
    const fs::path huge = fresh_directory("huge") / "huge.toml";
    std::ofstream(huge).close();
    fs::resize_file(huge, 17u << 20);  // sparse: no 17 MiB written
    EXPECT_NE(refusal(huge).find("is 17.0 MiB, over the 16.0 MiB limit"), std::string::npos) << refusal(huge);
}

TEST(InputFiles, AFifoIsRefusedWithoutWaitingForAWriter)
{
    // Without O_NONBLOCK, opening a FIFO nobody writes to blocks for ever
    // (ctest's timeout would report it).
    const fs::path fifo = fresh_directory("fifo") / "scenario.toml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_NE(refusal(fifo).find("is not a regular file"), std::string::npos) << refusal(fifo);
}

TEST(InputFiles, FilesAreReadToTheirEndNotToTheirStatedSize)
{
    // /proc files state a size of 0 and hold more: what is read is bounded
    // by the limit, not by the size the file states.
    const std::string status = read_input_file("/proc/self/status", "status file");
    EXPECT_NE(status.find("Name:"), std::string::npos);
    EXPECT_NE(status.find("VmPeak:"), std::string::npos);  // beyond the first lines: read to the end
    EXPECT_NE(refusal("/proc/self/status", 64).find("grew beyond the 64 bytes limit"), std::string::npos)
        << refusal("/proc/self/status", 64);
}

TEST(InputFiles, AnUnreadableFileIsNamedAsSuchWithTheRemedy)
{
    const fs::path directory = fresh_directory("unreadable");
    fs::permissions(directory, fs::perms::all);  // others may enter, as an unprivileged user must
    const fs::path locked = directory / "locked.toml";
    std::ofstream(locked) << "title = \"x\"\n";
    fs::permissions(locked, fs::perms::none);
    // root reads any file: the reading is done by an unprivileged child then.
    int channel[2];
    ASSERT_EQ(::pipe(channel), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(channel[0]);
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
            ::_exit(3);
        }
        const std::string message = refusal(locked);
        const bool written = ::write(channel[1], message.data(), message.size()) == static_cast<ssize_t>(message.size());
        ::_exit(written ? 0 : 4);
    }
    ::close(channel[1]);
    std::string message;
    char buffer[512];
    for (ssize_t got; (got = ::read(channel[0], buffer, sizeof buffer)) > 0;) {
        message.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(channel[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    EXPECT_NE(message.find("is not readable (permission denied) — check the permissions"), std::string::npos) << message;
}

TEST(OutputFiles, AWriteReplacesTheFileWhole)
{
    const fs::path directory = fresh_directory("write");
    const fs::path target = directory / "out.h5";
    write_file_atomically(target, "first");
    write_file_atomically(target, "second, longer");
    EXPECT_EQ(contents(target), "second, longer");
    EXPECT_FALSE(partials_in(directory));
}

TEST(OutputFiles, AFailedWriteKeepsTheOldFileAndLeavesNoTemporary)
{
    ::setenv("SCLS_TEST_FAIL_WRITE", "2:EIO", 1);  // read once per process: each test runs in its own
    const fs::path directory = fresh_directory("failing");
    const fs::path target = directory / "out.h5";
    write_file_atomically(target, "complete");
    try {
        write_file_atomically(target, std::string(3u << 20, 'y'));
        FAIL() << "the injected failure did not happen";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("Input/output error"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
    }
    EXPECT_EQ(contents(target), "complete");
    EXPECT_FALSE(partials_in(directory));
}

// The message of a write failing with the injected error `name`.
std::string write_failure_message(const fs::path& target, const std::string& name)
{
    ::setenv("SCLS_TEST_FAIL_WRITE", ("1:" + name).c_str(), 1);  // the count starts again at every change
    std::string message;
    try {
        write_file_atomically(target, "new");
    } catch (const OutputError& e) {
        message = e.what();
    }
    ::unsetenv("SCLS_TEST_FAIL_WRITE");
    return message;
}

TEST(OutputFiles, AFailedWriteNamesTheRemedyForItsCause)
{
    const fs::path directory = fresh_directory("remedies");
    const fs::path target = directory / "out.h5";
    const std::string disk = "— free space on the disk holding " + directory.string();
    const std::string permissions = "— check the permissions of directory " + directory.string();
    // Each name differs from the one before: the hook counts again only when its setting changes.
    const std::pair<const char*, std::vector<std::string>> cases[] = {
        {"ENOSPC", {"No space left on device (while writing out.h5.partial-", disk}},
        {"EDQUOT", {"— free space within your quota on the disk holding " + directory.string()}},
        {"EACCES", {permissions}},
        {"EPERM", {permissions}},
        {"EROFS", {"— the file system holding " + directory.string() + " is read-only; choose another path"}},
    };
    for (const auto& [name, expected] : cases) {
        const std::string message = write_failure_message(target, name);
        EXPECT_EQ(message.find("writing " + target.string() + " failed: "), 0u) << message;
        for (const std::string& part : expected) {
            EXPECT_NE(message.find(part), std::string::npos) << name << ": " << message;
        }
    }
    // Any other cause: the system's words, and no remedy that may not fit.
    const std::string io = write_failure_message(target, "EIO");
    EXPECT_NE(io.find("Input/output error"), std::string::npos) << io;
    EXPECT_EQ(io.find(" — "), std::string::npos) << io;
    EXPECT_FALSE(fs::exists(target));
    EXPECT_FALSE(partials_in(directory));
}

TEST(OutputFiles, AReplacedFileKeepsItsPermissions)
{
    const fs::path directory = fresh_directory("modes");
    const fs::path target = directory / "private.h5";
    write_file_atomically(target, "first");
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
    write_file_atomically(target, "second");
    EXPECT_EQ(contents(target), "second");
    EXPECT_EQ(fs::status(target).permissions(), fs::perms::owner_read | fs::perms::owner_write);
    fs::permissions(target, fs::perms::owner_all | fs::perms::group_read);
    write_file_atomically(target, "third");
    EXPECT_EQ(fs::status(target).permissions(), fs::perms::owner_all | fs::perms::group_read);
}

TEST(OutputFiles, WritingThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink)
{
    const fs::path directory = fresh_directory("links");
    fs::create_directories(directory / "store");
    const fs::path real = directory / "store" / "run.h5";
    write_file_atomically(real, "old");
    const fs::path link = directory / "latest.h5";
    fs::create_symlink("store/run.h5", link);  // relative: resolved against the link's directory
    write_file_atomically(link, "new");
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link)));
    EXPECT_EQ(fs::read_symlink(link), "store/run.h5");
    EXPECT_EQ(contents(real), "new");
    EXPECT_FALSE(partials_in(directory));
    EXPECT_FALSE(partials_in(directory / "store"));
    // A link to a file not yet written: the file is created where it points.
    const fs::path ahead = directory / "ahead.h5";
    fs::create_symlink(directory / "store" / "next.h5", ahead);
    write_file_atomically(ahead, "next");
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(ahead)));
    EXPECT_EQ(contents(directory / "store" / "next.h5"), "next");
}

std::set<std::string> names_in(const fs::path& directory)
{
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) {
        names.insert(entry.path().filename().string());
    }
    return names;
}

const std::vector<std::string> kKnown = {"a.csv", "b.csv", "c.csv", "d.csv"};

TEST(OutputDirectories, ANewDirectoryAppearsWhole)
{
    const fs::path parent = fresh_directory("tables_new");
    write_directory_atomically(parent / "tables/", {{"a.csv", "1"}, {"b.csv", "2"}}, kKnown);
    EXPECT_EQ(names_in(parent / "tables"), (std::set<std::string>{"a.csv", "b.csv"}));
    EXPECT_EQ(contents(parent / "tables" / "b.csv"), "2");
    EXPECT_EQ(names_in(parent), std::set<std::string>{"tables"});
}

TEST(OutputDirectories, KnownTablesTheNewSetLacksGoAndOtherFilesStay)
{
    const fs::path parent = fresh_directory("tables_again");
    const fs::path tables = parent / "tables";
    write_directory_atomically(tables, {{"a.csv", "old a"}, {"c.csv", "old c"}, {"d.csv", "old d"}}, kKnown);
    std::ofstream(tables / "notes.txt") << "mine";
    write_directory_atomically(tables, {{"a.csv", "new a"}, {"b.csv", "new b"}}, kKnown);
    EXPECT_EQ(names_in(tables), (std::set<std::string>{"a.csv", "b.csv", "notes.txt"}));
    EXPECT_EQ(contents(tables / "a.csv"), "new a");
    EXPECT_EQ(contents(tables / "notes.txt"), "mine");
    EXPECT_EQ(names_in(parent), std::set<std::string>{"tables"});
}

TEST(OutputDirectories, AFailedWriteLeavesTheDirectoryAsItWas)
{
    const fs::path parent = fresh_directory("tables_failing");
    const fs::path tables = parent / "tables";
    write_directory_atomically(tables, {{"a.csv", "old a"}, {"c.csv", "old c"}}, kKnown);
    ::setenv("SCLS_TEST_FAIL_WRITE", "2:ENOSPC", 1);  // the second table
    EXPECT_THROW(write_directory_atomically(tables, {{"a.csv", "new a"}, {"b.csv", "new b"}}, kKnown), OutputError);
    ::unsetenv("SCLS_TEST_FAIL_WRITE");
    EXPECT_EQ(names_in(tables), (std::set<std::string>{"a.csv", "c.csv"}));
    EXPECT_EQ(contents(tables / "a.csv"), "old a");
    EXPECT_EQ(names_in(parent), std::set<std::string>{"tables"});  // no temporary directory
    // Nor is anything created when the directory did not exist.
    ::setenv("SCLS_TEST_FAIL_WRITE", "1:EIO", 1);
    EXPECT_THROW(write_directory_atomically(parent / "fresh", {{"a.csv", "a"}}, kKnown), OutputError);
    ::unsetenv("SCLS_TEST_FAIL_WRITE");
    EXPECT_EQ(names_in(parent), std::set<std::string>{"tables"});
}

TEST(OutputDirectories, AFailureWhileMovingTablesInUndoesTheMovesMade)
{
    const fs::path parent = fresh_directory("tables_undo");
    const fs::path tables = parent / "tables";
    write_directory_atomically(tables, {{"a.csv", "old a"}, {"d.csv", "old d"}}, kKnown);
    fs::create_directory(tables / "c.csv");  // not a file sclsim wrote: a table cannot replace it
    try {
        write_directory_atomically(tables, {{"a.csv", "new a"}, {"b.csv", "new b"}, {"c.csv", "new c"}}, kKnown);
        FAIL() << "a table replaced a directory";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find(tables.string() + " is as it was"), std::string::npos) << e.what();
    }
    EXPECT_EQ(names_in(tables), (std::set<std::string>{"a.csv", "c.csv", "d.csv"}));
    EXPECT_EQ(contents(tables / "a.csv"), "old a");
    EXPECT_EQ(contents(tables / "d.csv"), "old d");
    EXPECT_TRUE(fs::is_directory(tables / "c.csv"));
    EXPECT_EQ(names_in(parent), std::set<std::string>{"tables"});
}

TEST(OutputPaths, RefusalsNameTheOptionAndTheKindOfOutput)
{
    const fs::path directory = fresh_directory("checks");
    auto refusal_of = [](const fs::path& path, const char* option, OutputKind kind) -> InputIssue {
        try {
            check_output_writable(path, option, kind);
        } catch (const InputError& e) {
            return e.issues().front();
        }
        return {};
    };
    const InputIssue missing = refusal_of(directory / "no" / "out.h5", "-o/--output", OutputKind::file);
    EXPECT_EQ(missing.file, "-o/--output");
    EXPECT_NE(missing.message.find("does not exist"), std::string::npos) << missing.message;
    EXPECT_EQ(refusal_of(directory / "no" / "tables", "--to", OutputKind::directory).file, "--to");
    const InputIssue directory_for_file = refusal_of(directory, "--trace", OutputKind::file);
    EXPECT_NE(directory_for_file.message.find("is a directory"), std::string::npos) << directory_for_file.message;
    EXPECT_NE(directory_for_file.message.find("such as results/run.h5"), std::string::npos) << directory_for_file.message;
    try {  // an output of another kind suggests a name of its kind
        check_output_writable(directory, "-o", OutputKind::file, "results/scenario.calibrated.toml");
        ADD_FAILURE() << "a directory was accepted as an output file";
    } catch (const InputError& e) {
        EXPECT_NE(e.issues().front().message.find("such as results/scenario.calibrated.toml"), std::string::npos)
            << e.issues().front().message;
    }
    std::ofstream(directory / "file.csv") << "x";
    EXPECT_NE(refusal_of(directory / "file.csv", "--to", OutputKind::directory).message.find("is a file"), std::string::npos);
    EXPECT_NO_THROW(check_output_writable(directory, "--to", OutputKind::directory));
    EXPECT_NO_THROW(check_output_writable(directory / "new_tables/", "--to", OutputKind::directory));
    EXPECT_NO_THROW(check_output_writable(directory / "out.h5", "-o/--output"));
}

// A FIFO (or device) where the output belongs is refused before any work,
// and by the write itself (for one made after that check): a rename would
// replace it.
TEST(OutputPaths, AFifoOrDeviceIsRefusedAndLeftAsItIs)
{
    const fs::path directory = fresh_directory("special");
    const fs::path pipe = directory / "out.h5";
    ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
    try {
        check_output_writable(pipe, "-o/--output");
        FAIL() << "a FIFO was accepted as an output file";
    } catch (const InputError& e) {
        EXPECT_NE(e.issues().front().message.find("is a FIFO, not a regular file"), std::string::npos) << e.issues().front().message;
    }
    try {
        write_file_atomically(pipe, "results");
        FAIL() << "a FIFO was replaced by a results file";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("it is a FIFO, not a regular file"), std::string::npos) << e.what();
    }
    EXPECT_EQ(fs::status(pipe).type(), fs::file_type::fifo);
    EXPECT_EQ(names_in(directory), std::set<std::string>{"out.h5"});  // no temporary left
}

TEST(OutputFiles, TemporariesOfDeadProcessesAreRemoved)
{
    const fs::path directory = fresh_directory("stale");
    const fs::path target = directory / "out.h5";
    const pid_t child = ::fork();
    if (child == 0) {
        ::_exit(0);
    }
    ASSERT_GT(child, 0);
    ::waitpid(child, nullptr, 0);
    const fs::path ours = partial_path_for(target);  // this process: alive
    fs::path dead = ours;
    dead.replace_filename(ours.filename().string().substr(0, ours.filename().string().rfind('-') + 1) + std::to_string(child));
    std::ofstream(dead) << "killed";
    std::ofstream(ours) << "live";
    std::ofstream(directory / "unrelated.partial-x-1") << "not ours";
    // The staging directory of an export killed while writing.
    fs::path dead_directory = dead;
    dead_directory.replace_filename("tables" + dead.filename().string().substr(target.filename().string().size()));
    fs::create_directories(dead_directory / "inside");
    std::ofstream(dead_directory / "summary.csv") << "half";
    remove_stale_partials(directory / "tables");
    EXPECT_FALSE(fs::exists(dead_directory));
    remove_stale_partials(target);
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_TRUE(fs::exists(ours));
    EXPECT_TRUE(fs::exists(directory / "unrelated.partial-x-1"));
}

}  // namespace
}  // namespace scls
