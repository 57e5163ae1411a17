// MPI behind the Cluster interface (see cluster.hpp); a job of one process
// when MPI is not compiled in or the process was not started by a launcher.
#include "host/parallel/cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <map>

#if SCLS_HAVE_MPI
// The C API only: keep OpenMPI's and MPICH's deprecated C++ bindings out.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace scls {

namespace {

std::string host_name()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) {
        return "unknown-host";
    }
    return name;
}

#if SCLS_HAVE_MPI
// Whether an MPI launcher started this process: MPI_Init without one would
// make a singleton job, which needs a runtime daemon we do not want to rely
// on for a plain `sclsim run`.
bool started_by_mpi_launcher()
{
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
        if (std::getenv(variable) != nullptr) {
            return true;
        }
    }
    return false;
}

// "0-3, 5" for the sorted ranks {0, 1, 2, 3, 5}.
std::string rank_list(const std::vector<int>& ranks)
{
    std::string text;
    for (std::size_t i = 0; i < ranks.size();) {
        std::size_t j = i;
        while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) {
            ++j;
        }
        text += (text.empty() ? "" : ", ") + (j > i ? fmt::format("{}-{}", ranks[i], ranks[j]) : std::to_string(ranks[i]));
        i = j + 1;
    }
    return text;
}

void check_mpi(int status, const char* call)
{
    if (status != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING] = {};
        int length = 0;
        MPI_Error_string(status, text, &length);
        throw std::runtime_error(fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
    }
}
#define SCLS_MPI_CALL(call) check_mpi((call), #call)

constexpr int kShareTag = 71;
constexpr std::size_t kChunkBytes = std::size_t{1} << 30;  // MPI counts are int: send at most 1 GiB per message

void send_bytes(const std::vector<char>& bytes, int destination)
{
    const auto size = static_cast<std::uint64_t>(bytes.size());
    SCLS_MPI_CALL(MPI_Send(&size, 1, MPI_UINT64_T, destination, kShareTag, MPI_COMM_WORLD));
    for (std::size_t at = 0; at < bytes.size(); at += kChunkBytes) {
        const int count = static_cast<int>(std::min(kChunkBytes, bytes.size() - at));
        SCLS_MPI_CALL(MPI_Send(bytes.data() + at, count, MPI_BYTE, destination, kShareTag, MPI_COMM_WORLD));
    }
}

std::vector<char> receive_bytes(int source)
{
    std::uint64_t size = 0;
    SCLS_MPI_CALL(MPI_Recv(&size, 1, MPI_UINT64_T, source, kShareTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    std::vector<char> bytes(size);
    for (std::size_t at = 0; at < bytes.size(); at += kChunkBytes) {
        const int count = static_cast<int>(std::min(kChunkBytes, bytes.size() - at));
        SCLS_MPI_CALL(MPI_Recv(bytes.data() + at, count, MPI_BYTE, source, kShareTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    }
    return bytes;
}

// Rank 0 gets every rank's string; the others get nothing.
std::vector<std::string> gather_strings(const std::string& mine, int ranks, int rank)
{
    const int length = static_cast<int>(mine.size());
    std::vector<int> lengths(rank == 0 ? ranks : 0);
    SCLS_MPI_CALL(MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD));
    std::vector<int> offsets(lengths.size(), 0);
    std::vector<char> all;
    if (rank == 0) {
        for (int r = 1; r < ranks; ++r) {
            offsets[r] = offsets[r - 1] + lengths[r - 1];
        }
        all.resize(static_cast<std::size_t>(offsets.back() + lengths.back()));
    }
    SCLS_MPI_CALL(MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD));
    std::vector<std::string> strings;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
        strings.emplace_back(all.data() + offsets[r], static_cast<std::size_t>(lengths[r]));
    }
    return strings;
}
#endif

}  // namespace

Cluster::Cluster(int& argc, char**& argv)
{
    place_.host = host_name();
#if SCLS_HAVE_MPI
    if (started_by_mpi_launcher()) {
        SCLS_MPI_CALL(MPI_Init(&argc, &argv));
        mpi_initialized_ = true;
        // Errors come back as codes that check_mpi turns into exceptions.
        MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
        SCLS_MPI_CALL(MPI_Comm_rank(MPI_COMM_WORLD, &place_.rank));
        SCLS_MPI_CALL(MPI_Comm_size(MPI_COMM_WORLD, &place_.ranks));
        MPI_Comm node;
        SCLS_MPI_CALL(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, place_.rank, MPI_INFO_NULL, &node));
        SCLS_MPI_CALL(MPI_Comm_rank(node, &place_.local_rank));
        SCLS_MPI_CALL(MPI_Comm_size(node, &place_.local_ranks));
        MPI_Comm_free(&node);
    }
#else
    (void)argc;
    (void)argv;
    // Launched as one of several ranks, but unable to talk to the others.
    for (const char* size_variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
        const char* value = std::getenv(size_variable);
        if (value != nullptr && std::atoi(value) > 1) {
            launch_problem_ = fmt::format(
                "this sclsim was built without MPI but was started as one of {} processes ({}={}): each would run the "
                "whole job — rebuild with libopenmpi-dev installed (sclsim info shows the MPI library), or run it "
                "without mpirun/srun",
                value, size_variable, value);
            const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
            place_.rank = rank ? std::atoi(rank) : 0;  // so that one copy reports it
        }
    }
#endif
}

Cluster::~Cluster()
{
#if SCLS_HAVE_MPI
    if (mpi_initialized_) {
        MPI_Finalize();
    }
#endif
}

bool Cluster::mpi_compiled()
{
    return SCLS_HAVE_MPI != 0;
}

std::string Cluster::mpi_library()
{
#if SCLS_HAVE_MPI
    char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int length = 0;
    MPI_Get_library_version(text, &length);  // callable before MPI_Init
    std::string version(text, static_cast<std::size_t>(length));
    return version.substr(0, version.find_first_of("\n,"));
#else
    return "not compiled in (no MPI library found at configure time; install libopenmpi-dev and rebuild)";
#endif
}

std::string Cluster::describe() const
{
    return fmt::format("rank {} of {} on {}", place_.rank, place_.ranks, place_.host);
}

int Cluster::agree(const RankFailure& mine)
{
    if (!distributed()) {
        if (mine.exit_status != 0) {
            std::cerr << mine.message;
        }
        return mine.exit_status;
    }
#if SCLS_HAVE_MPI
    int worst = 0;
    SCLS_MPI_CALL(MPI_Allreduce(&mine.exit_status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD));
    if (worst == 0) {
        return 0;
    }
    const std::vector<std::string> messages = gather_strings(mine.exit_status != 0 ? mine.message : std::string(), place_.ranks, place_.rank);
    const std::vector<std::string> hosts = gather_strings(place_.host, place_.ranks, place_.rank);
    if (is_root()) {
        // Each distinct message once, in order of the first rank that gave it.
        std::vector<std::string> order;
        std::map<std::string, std::vector<int>> ranks_of;
        for (int r = 0; r < place_.ranks; ++r) {
            if (messages[r].empty()) {
                continue;
            }
            if (ranks_of[messages[r]].empty()) {
                order.push_back(messages[r]);
            }
            ranks_of[messages[r]].push_back(r);
        }
        for (const auto& message : order) {
            const std::vector<int>& ranks = ranks_of[message];
            std::vector<std::string> rank_hosts;
            for (int r : ranks) {
                if (std::find(rank_hosts.begin(), rank_hosts.end(), hosts[r]) == rank_hosts.end()) {
                    rank_hosts.push_back(hosts[r]);
                }
            }
            std::cerr << fmt::format("sclsim: [rank{} {} of {} on {}]\n", ranks.size() == 1 ? "" : "s", rank_list(ranks), place_.ranks,
                                     fmt::join(rank_hosts, ", "))
                      << message;
        }
        std::cerr.flush();
    }
    return worst;
#else
    return mine.exit_status;
#endif
}

std::vector<ShareResult> Cluster::gather_shares(const ShareResult& mine)
{
    if (!distributed()) {
        return {mine};
    }
#if SCLS_HAVE_MPI
    if (!is_root()) {
        send_bytes(pack_share(mine), 0);
        return {};
    }
    std::vector<ShareResult> shares{mine};
    for (int r = 1; r < place_.ranks; ++r) {
        shares.push_back(unpack_share(receive_bytes(r)));
    }
    return shares;
#else
    return {mine};
#endif
}

std::vector<std::string> Cluster::hosts()
{
    std::vector<std::string> all{place_.host};
#if SCLS_HAVE_MPI
    if (distributed()) {
        all = gather_strings(place_.host, place_.ranks, place_.rank);
    }
#endif
    std::vector<std::string> distinct;
    for (const auto& h : all) {
        if (std::find(distinct.begin(), distinct.end(), h) == distinct.end()) {
            distinct.push_back(h);
        }
    }
    return distinct;
}

double Cluster::max_over_ranks(double value)
{
#if SCLS_HAVE_MPI
    if (distributed()) {
        double largest = value;
        SCLS_MPI_CALL(MPI_Allreduce(&value, &largest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD));
        return largest;
    }
#endif
    return value;
}

void Cluster::abort(int exit_status)
{
    std::cerr.flush();
#if SCLS_HAVE_MPI
    if (mpi_initialized_) {
        MPI_Abort(MPI_COMM_WORLD, exit_status);
    }
#endif
    std::exit(exit_status);
}

}  // namespace scls
