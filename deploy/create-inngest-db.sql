-- The Inngest server keeps its state in a database of its own on the same PostgreSQL.
CREATE DATABASE inngest;
