import ControlAPI
import Lineage

extension Problem {
    /// The blob store lost or damaged bytes: said as such, with the blob and what to do,
    /// never as a fault of the request.
    static func storage(_ error: LineageError) -> Problem {
        Problem(title: "Storage error", status: 500, detail: error.message)
    }
}
