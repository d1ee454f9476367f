"""Personnel, training, exams and competence (ISO/IEC 17025 6.2): a lab's people and their posts,
training sessions and attendances, theory exams and skills contests, and who is authorised to
perform which tests and sign which reports."""
