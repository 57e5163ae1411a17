// Bounded input reads and failure-atomic writes: what is refused, that a
// failed write leaves the old file and no temporary, and that temporaries of
// dead processes are cleaned up while those of live ones are kept.
#include "host/io/files.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
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
    EXPECT_NE(refusal(big, 1000).find("an input may have at most"), std::string::npos);
    EXPECT_EQ(read_input_file(big, "scenario file", 4000), std::string(2000, 'x'));
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
    remove_stale_partials(target);
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_TRUE(fs::exists(ours));
    EXPECT_TRUE(fs::exists(directory / "unrelated.partial-x-1"));
}

}  // namespace
}  // namespace scls
