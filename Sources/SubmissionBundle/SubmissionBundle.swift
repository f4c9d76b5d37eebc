// SubmissionBundle
