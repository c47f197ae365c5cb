CREATE TABLE "stored_blob_chunk" (
	"sha256" text NOT NULL,
	"idx" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "stored_blob_chunk_sha256_idx_pk" PRIMARY KEY("sha256","idx")
);
--> statement-breakpoint
CREATE TABLE "stored_blob" (
	"sha256" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"chunks" integer NOT NULL,
	"created_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stored_file" (
	"path" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"updated_at" bigint DEFAULT (extract(epoch from clock_timestamp()) * 1000)::bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stored_blob_chunk" ADD CONSTRAINT "stored_blob_chunk_sha256_stored_blob_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."stored_blob"("sha256") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stored_file" ADD CONSTRAINT "stored_file_sha256_stored_blob_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."stored_blob"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stored_file_sha256" ON "stored_file" USING btree ("sha256");