// tbb_flow: runs a dagrun graph (format v1) of `noop` tasks as a oneTBB flow graph and
// prints what it costs per task, as one line of JSON.
//
//   tbb_flow FILE [--threads N] [--repeat R]
//
// One tbb::flow::continue_node per task (default policy, empty body), one make_edge per
// input; the sources are started with try_put from the calling thread and the run ends
// when graph::wait_for_all returns. Each repetition builds a fresh graph: build_s times
// node and edge construction, run_s times the run alone. The file is parsed once
// (parse_s) by the small parser below.
//
// Why a parser of our own rather than a JSON library (Debian's nlohmann-json3-dev): a
// DOM of a million-task file costs seconds and gigabytes, while this scanner keeps only
// ids and inputs, adds no package to install, and still reads any valid JSON (whitespace,
// field order, extra fields such as args or doc), not just the generator's layout.
//
// Build: g++ -O2 -std=c++17 tbb_flow.cpp -o tbb_flow -ltbb
#include <sys/resource.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct Graph {
    std::vector<std::string> ids;
    std::vector<std::vector<std::string>> inputNames;
    std::vector<std::vector<int>> inputs;  // resolved indices
    size_t edges = 0;
};

// A recursive-descent reader of RFC 8259 JSON that keeps only tasks[*].id, .op and .inputs.
// String escapes are kept as written (ids are compared as written on both sides).
class Reader {
public:
    explicit Reader(const std::string& text)
        : begin_(text.data()), s_(text.data()), end_(text.data() + text.size()) {}

    Graph read() {
        Graph g;
        skipSpace();
        expect('{');
        if (!consume('}')) {
            do {
                std::string key = string();
                expect(':');
                if (key == "tasks") {
                    tasks(g);
                } else {
                    skipValue();
                }
            } while (consume(','));
            expect('}');
        }
        return g;
    }

private:
    const char* begin_;
    const char* s_;
    const char* end_;

    [[noreturn]] void fail(const std::string& what) {
        throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(s_ - begin_));
    }
    void skipSpace() {
        while (s_ < end_ && (*s_ == ' ' || *s_ == '\n' || *s_ == '\r' || *s_ == '\t')) ++s_;
    }
    bool consume(char c) {
        skipSpace();
        if (s_ < end_ && *s_ == c) { ++s_; skipSpace(); return true; }
        return false;
    }
    void expect(char c) {
        if (!consume(c)) fail(std::string("expected '") + c + "'");
    }
    std::string string() {
        skipSpace();
        if (s_ >= end_ || *s_ != '"') fail("expected a string");
        const char* start = ++s_;
        while (s_ < end_ && *s_ != '"') s_ += (*s_ == '\\') ? 2 : 1;
        if (s_ >= end_) fail("unterminated string");
        std::string out(start, s_);
        ++s_;
        skipSpace();
        return out;
    }
    void skipValue() {
        skipSpace();
        if (s_ >= end_) fail("expected a value");
        if (*s_ == '"') { string(); return; }
        if (consume('{')) {
            if (consume('}')) return;
            do { string(); expect(':'); skipValue(); } while (consume(','));
            expect('}');
            return;
        }
        if (consume('[')) {
            if (consume(']')) return;
            do { skipValue(); } while (consume(','));
            expect(']');
            return;
        }
        // number, true, false, null
        while (s_ < end_ && std::strchr(",}] \n\r\t", *s_) == nullptr) ++s_;
        skipSpace();
    }
    void tasks(Graph& g) {
        expect('[');
        if (consume(']')) return;
        do {
            expect('{');
            std::string id, op;
            std::vector<std::string> inputs;
            if (!consume('}')) {
                do {
                    std::string key = string();
                    expect(':');
                    if (key == "id") {
                        id = string();
                    } else if (key == "op") {
                        op = string();
                    } else if (key == "inputs") {
                        expect('[');
                        if (!consume(']')) {
                            do { inputs.push_back(string()); } while (consume(','));
                            expect(']');
                        }
                    } else {
                        skipValue();
                    }
                } while (consume(','));
                expect('}');
            }
            if (id.empty()) fail("a task without an id");
            if (op != "noop") {
                throw std::runtime_error("task '" + id + "' has op '" + op + "': tbb_flow runs noop tasks only");
            }
            g.edges += inputs.size();
            g.ids.push_back(std::move(id));
            g.inputNames.push_back(std::move(inputs));
        } while (consume(','));
        expect(']');
    }
};

Graph load(const char* path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(std::string("cannot open ") + path);
    std::stringstream buffer;
    buffer << file.rdbuf();
    std::string text = buffer.str();
    Graph g = Reader(text).read();
    std::unordered_map<std::string, int> index;
    index.reserve(g.ids.size());
    for (size_t i = 0; i < g.ids.size(); ++i) {
        if (!index.emplace(g.ids[i], int(i)).second) throw std::runtime_error("duplicate id '" + g.ids[i] + "'");
    }
    g.inputs.resize(g.ids.size());
    for (size_t i = 0; i < g.ids.size(); ++i) {
        for (const auto& name : g.inputNames[i]) {
            auto it = index.find(name);
            if (it == index.end()) throw std::runtime_error("task '" + g.ids[i] + "' has unknown input '" + name + "'");
            g.inputs[i].push_back(it->second);
        }
    }
    g.inputNames.clear();
    g.inputNames.shrink_to_fit();
    return g;
}

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

struct Sample {
    double build_s;
    double run_s;
    double cpu_s;  // process CPU time (all threads) during the run
};

double processCPUSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) * 1e-6 + double(u.ru_stime.tv_sec) +
           double(u.ru_stime.tv_usec) * 1e-6;
}

Sample runOnce(const Graph& g) {
    using namespace tbb::flow;
    using Node = continue_node<continue_msg>;
    auto t0 = Clock::now();
    graph flow;
    std::deque<Node> nodes;  // continue_node is neither copyable nor movable: a deque keeps addresses stable
    for (size_t i = 0; i < g.ids.size(); ++i) {
        nodes.emplace_back(flow, [](const continue_msg&) { return continue_msg(); });
    }
    std::vector<Node*> sources;
    for (size_t i = 0; i < g.ids.size(); ++i) {
        if (g.inputs[i].empty()) sources.push_back(&nodes[i]);
        for (int input : g.inputs[i]) make_edge(nodes[size_t(input)], nodes[i]);
    }
    auto t1 = Clock::now();
    double c1 = processCPUSeconds();
    for (Node* source : sources) source->try_put(continue_msg());
    flow.wait_for_all();
    auto t2 = Clock::now();
    return {seconds(t0, t1), seconds(t1, t2), processCPUSeconds() - c1};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = nullptr;
    int threads = 1, repeat = 5;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
        } else if (a == "--repeat" && i + 1 < argc) {
            repeat = std::atoi(argv[++i]);
        } else if (a[0] != '-' && path == nullptr) {
            path = argv[i];
        } else {
            std::fprintf(stderr, "usage: tbb_flow FILE [--threads N] [--repeat R]\n");
            return 2;
        }
    }
    if (path == nullptr || threads < 1 || repeat < 1) {
        std::fprintf(stderr, "usage: tbb_flow FILE [--threads N] [--repeat R] (N, R >= 1)\n");
        return 2;
    }
    Graph g;
    auto p0 = Clock::now();
    try {
        g = load(path);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tbb_flow: %s: %s\n", path, e.what());
        return 2;
    }
    double parse_s = seconds(p0, Clock::now());

    tbb::global_control control(tbb::global_control::max_allowed_parallelism, size_t(threads));
    std::vector<double> build, run, cpu;
    for (int r = 0; r < repeat; ++r) {
        Sample s = runOnce(g);
        build.push_back(s.build_s);
        run.push_back(s.run_s);
        cpu.push_back(s.cpu_s);
    }
    double tasks = double(g.ids.size());
    double runMedian = median(run), runBest = *std::min_element(run.begin(), run.end());
    std::printf("{\"peer\": \"oneTBB flow graph\", \"version\": \"%d.%d.%d\", \"threads\": %d, \"tasks\": %zu, "
                "\"edges\": %zu, \"repeat\": %d, \"parse_s\": %.6g, \"build_s\": %.6g, \"run_s\": %.6g, "
                "\"run_s_best\": %.6g, \"ns_per_task\": %.1f, \"ns_per_task_best\": %.1f, \"samples\": [",
                TBB_VERSION_MAJOR, TBB_VERSION_MINOR, TBB_VERSION_PATCH, threads, g.ids.size(), g.edges, repeat,
                parse_s, median(build), runMedian, runBest, runMedian / tasks * 1e9, runBest / tasks * 1e9);
    for (int r = 0; r < repeat; ++r) {
        std::printf("%s{\"build_s\": %.6g, \"run_s\": %.6g, \"cpu_s\": %.6g}", r ? ", " : "", build[size_t(r)],
                    run[size_t(r)], cpu[size_t(r)]);
    }
    std::printf("]}\n");
    return 0;
}
