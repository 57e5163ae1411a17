// This process's place in a job: one of N MPI ranks when started by mpirun
// or srun (and sclsim was built with MPI), otherwise a job of one. The rest
// of sclsim asks it for its rank and share and for the few collective steps
// a run needs; no MPI header leaks out of cluster.cpp.
#pragma once

#include <string>
#include <vector>

#include "host/engine/work_share.hpp"

namespace scls {

struct ProcessPlace {
    int rank = 0;
    int ranks = 1;
    int local_rank = 0;   // among the ranks on this node (picks the GPU)
    int local_ranks = 1;
    std::string host;
};

// A failure one rank reports at an agreement point: what to print, and the
// exit status (0 = no failure).
struct RankFailure {
    int exit_status = 0;
    std::string message;  // complete lines, without the rank prefix
};

class Cluster {
  public:
    // Joins the MPI job when the process was started by an MPI launcher
    // (OpenMPI's mpirun, or srun/PMIx) and MPI is compiled in.
    Cluster(int& argc, char**& argv);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    const ProcessPlace& place() const { return place_; }
    bool distributed() const { return place_.ranks > 1; }
    bool is_root() const { return place_.rank == 0; }
    static bool mpi_compiled();
    // Non-empty when an MPI launcher started several copies of a build
    // without MPI: each would run the whole job. Says what to do instead.
    const std::string& launch_problem() const { return launch_problem_; }
    // The MPI library's own description (first line), or why there is none.
    static std::string mpi_library();
    // "rank 2 of 4 on node07"
    std::string describe() const;

    // Collective: every rank passes its failure (exit_status 0 when fine).
    // Rank 0 prints each distinct message once, naming the ranks and hosts
    // that reported it; every rank gets the highest exit status.
    int agree(const RankFailure& mine);

    // Collective: rank 0 gets every rank's share in rank order (its own
    // first); the others send theirs and get nothing back.
    std::vector<ShareResult> gather_shares(const ShareResult& mine);

    // Collective: the distinct host names of the job, on rank 0 (in rank order).
    std::vector<std::string> hosts();

    // Collective: the largest of every rank's value, on every rank.
    double max_over_ranks(double value);

    // Stops the whole job at once (MPI_Abort when distributed).
    [[noreturn]] void abort(int exit_status);

  private:
    ProcessPlace place_;
    bool mpi_initialized_ = false;
    std::string launch_problem_;
};

}  // namespace scls
