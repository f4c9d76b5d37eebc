import ArgumentParser
import ControlAPI
import ControlClient

extension Hekatonctl {
    struct TeamCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team",
            abstract: "A competition's teams (hosts set and remove; anyone lists).",
            discussion: """
            A participant belongs to at most one team per competition. A team's members share \
            one daily submission limit and one fair share of the machine, and the leaderboard \
            ranks the team once, by its best submission.
            """,
            subcommands: [Set.self, List.self, Remove.self])
    }
}

extension Hekatonctl.TeamCommand {
    struct Set: PrintsJSON {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Make a team exactly these members (hosts only).",
            discussion: "Example: hekatonctl team set pococha red-team alice bob. Each member must be a user on the daemon's machine and in no other team of the competition.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @Argument(help: "The team's name: lower-case letters, digits and dashes.") var team: String
        @Argument(help: "Its members' user names.") var members: [String]
        @OptionGroup var format: OutputOptions<PlainJSON>

        func validate() throws {
            guard !members.isEmpty else { throw ValidationError("name at least one member; `hekatonctl team remove` deletes a team") }
        }

        func run(client: ControlClient, output: Output) throws {
            let info: TeamInfo = try client.call("PUT", "/v1/competitions/\(competition.pathEscaped)/teams/\(team.pathEscaped)",
                                                 body: TeamRequest(members: members))
            if output == .json { try printJSON(info) } else { print("team \(info.team) of \(competition): \(info.members.joined(separator: ", "))") }
        }
    }

    struct List: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a competition's teams and their members.")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let list: TeamList = try client.call("GET", "/v1/competitions/\(competition.pathEscaped)/teams")
            if output == .json { try printJSON(list); return }
            if list.teams.isEmpty { print("\(list.competition) has no teams; a host makes one with `hekatonctl team set`"); return }
            var table = TextTable(["TEAM", "MEMBERS"])
            for team in list.teams { table.add([team.team, team.members.joined(separator: ", ")]) }
            print(table.render())
        }
    }

    struct Remove: PrintsJSON {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a team; its members compete alone again (hosts only).")
        @OptionGroup var connection: ClientOptions
        @Argument(help: "The competition's name.") var competition: String
        @Argument(help: "The team's name.") var team: String
        @OptionGroup var format: OutputOptions<PlainJSON>

        func run(client: ControlClient, output: Output) throws {
            let info: TeamInfo = try client.call("DELETE", "/v1/competitions/\(competition.pathEscaped)/teams/\(team.pathEscaped)")
            if output == .json { try printJSON(info) } else { print("removed team \(info.team) of \(competition)") }
        }
    }
}
