// Usage errors (see usage.hpp).
#include "host/cli/usage.hpp"

#include "host/util/nearest.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace scls {

namespace {

std::string number_text(double value) { return value >= 1e15 ? fmt::format("{:.0f}", value) : fmt::format("{:.15g}", value); }

std::string range_text(const NumberRule& rule)
{
    return fmt::format("{} from {} to {}", rule.whole ? "a whole number" : "a number", number_text(rule.lower),
                       number_text(rule.upper));
}

// The deepest command that was parsed (the app itself when none was).
const CLI::App* active_command(const CLI::App& app)
{
    const CLI::App* command = &app;
    for (bool deeper = true; deeper;) {
        deeper = false;
        for (const CLI::App* sub : command->get_subcommands()) {
            if (sub->parsed()) {
                command = sub;
                deeper = true;
                break;
            }
        }
    }
    return command;
}

std::vector<std::string> option_names(const CLI::App& command)
{
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const auto& name : option->get_lnames()) {
            names.push_back("--" + name);
        }
        for (const auto& name : option->get_snames()) {
            names.push_back("-" + name);
        }
    }
    return names;
}

std::vector<std::string> command_names(const CLI::App& app)
{
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) {
        names.push_back(sub->get_name());
    }
    return names;
}

std::string command_label(const CLI::App& app, const CLI::App& command)
{
    return &command == &app ? app.get_name() : app.get_name() + " " + command.get_name();
}

std::string unknown_command(const CLI::App& app, const std::string& word)
{
    const std::string guess = nearest(word, command_names(app));
    return fmt::format("\"{}\" is not a command of {}{} — use one of: {}", word, app.get_name(),
                       guess.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", guess), fmt::join(command_names(app), ", "));
}

std::string missing_command(const CLI::App& app)
{
    for (const std::string& word : app.remaining()) {
        if (!word.empty() && word[0] != '-') {
            return unknown_command(app, word);
        }
    }
    return fmt::format("no command given (sclsim does one thing per call) — use one of: {}", fmt::join(command_names(app), ", "));
}

}  // namespace

CLI::Validator accepts(const NumberRule& rule)
{
    return CLI::Validator(
        [rule](std::string& text) -> std::string {
            double value = 0.0;
            bool parsed = false;
            if (rule.whole) {
                unsigned long long whole = 0;
                const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), whole);
                parsed = error == std::errc() && end == text.data() + text.size() && !text.empty();
                value = static_cast<double>(whole);
            } else {
                const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
                parsed = error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
            }
            if (!parsed) {
                return fmt::format("is \"{}\", not {} — give {}, e.g. {}", text, rule.whole ? "a whole number" : "a finite number",
                                   range_text(rule), rule.example);
            }
            if (value < rule.lower || value > rule.upper) {
                return fmt::format("is {} (it is {}) — give {}, e.g. {}", text, rule.meaning, range_text(rule), rule.example);
            }
            return std::string();
        },
        rule.whole ? "INTEGER" : "NUMBER");
}

CLI::Validator one_of(std::vector<std::string> words, std::string_view meaning)
{
    return CLI::Validator(
        [words, meaning = std::string(meaning)](std::string& text) -> std::string {
            if (std::find(words.begin(), words.end(), text) != words.end()) {
                return std::string();
            }
            const std::string guess = nearest(text, words);
            return fmt::format("is \"{}\" (it is {}){} — use one of: {}", text, meaning,
                               guess.empty() ? "" : fmt::format("; did you mean \"{}\"?", guess), fmt::join(words, ", "));
        },
        fmt::format("{{{}}}", fmt::join(words, ", ")));
}

void check_leftover_arguments(const CLI::App& app)
{
    const CLI::App* command = active_command(app);
    if (command == &app) {
        throw UsageError(missing_command(app));
    }
    const std::vector<std::string> rest = app.remaining(true);
    if (rest.empty()) {
        return;
    }
    const std::string& word = rest.front();
    const std::string label = command_label(app, *command);
    if (word.size() > 1 && word[0] == '-') {
        const std::string name = word.substr(0, word.find('='));
        const std::string guess = nearest(name, option_names(*command));
        throw UsageError(fmt::format("{} is not an option of {}{} — remove it or use one of the options listed by {} --help", name,
                                     label, guess.empty() ? "" : fmt::format(" (did you mean {}?)", guess), label));
    }
    throw UsageError(fmt::format("unexpected argument \"{}\" ({} takes {}) — remove it", word, label,
                                 command->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty()
                                     ? "no file names"
                                     : "one file name at most"));
}

std::string usage_error_text(const CLI::App& app, const std::string& message)
{
    const CLI::App* command = active_command(app);
    return fmt::format("sclsim: usage error: {}\n  ({} --help lists what it accepts)\n", message, command_label(app, *command));
}

std::string usage_error_text(const CLI::App& app, const CLI::ParseError& error)
{
    const std::string what = error.what();
    const std::string name = error.get_name();
    std::string message = what;
    if (name == "RequiredError" && what.find("subcommand") != std::string::npos) {
        message = missing_command(app);
    } else if (name == "RequiredError") {
        message = fmt::format("{} (this command cannot run without it) — add it", what);
    } else if (name == "ExcludesError") {
        message = fmt::format("{} (the two ask for opposite things) — give only one of them", what);
    } else if (name == "ArgumentMismatch") {
        message = fmt::format("{} (the option takes a value) — write the value after it, e.g. --patients 100000", what);
    } else if (name == "ExtrasError") {
        message = fmt::format("{} — remove it", what);
    } else if (name == "ConversionError") {
        message = fmt::format("{} (not a value of the option's kind) — give a number where a number is asked", what);
    }
    return usage_error_text(app, message);
}

}  // namespace scls
